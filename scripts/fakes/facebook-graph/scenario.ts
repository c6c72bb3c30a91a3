// Scenario data of the fake Graph API: businesses, their owned and client ad accounts, the
// accounts /me/adaccounts lists, and each account's ads. Metrics are generated deterministically
// per (ad, day) unless a test pins them; like Graph, every metric is a decimal string.

export interface FakeAd {
  id: string;
  name: string;
  adset_id: string;
  adset_name: string;
  campaign_id: string;
  campaign_name: string;
}

export interface FakeAccount {
  /** Digits (the act_ prefix is added on the wire). */
  id: string;
  name: string;
  currency: string;
  timezone_name: string;
  account_status: number;
  /** The owning business as Graph's `business` field reports it (absent for personal accounts). */
  business?: { id: string; name: string };
  ads: FakeAd[];
}

export interface FakeMetrics {
  spend: string;
  impressions: string;
  clicks: string;
  inline_link_clicks?: string;
}

export interface FakeScenario {
  businesses: { id: string; name: string; owned: string[]; client: string[] }[];
  /** Accounts /me/adaccounts lists (may overlap the business edges). */
  me_adaccounts: string[];
  accounts: Record<string, FakeAccount>;
  /** Pinned metrics by `${ad_id}:${day}`; null = no delivery that day (no row). */
  metrics: Map<string, FakeMetrics | null>;
  /** Ads with no pinned metric deliver every day with generated numbers (default true). */
  generate?: boolean;
  /** Usage percentage each account reports in its headers (default 5). */
  usage_pct?: Record<string, number>;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** Cents as Graph prints money: "14.35", "5339.5", "12". */
export function formatCents(cents: number): string {
  const text = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
  return text.replace(/\.?0+$/, "");
}

export function generatedMetrics(adId: string, day: string): FakeMetrics {
  const h = hash(`${adId}:${day}`);
  const impressions = 100 + (h % 5000);
  const clicks = h % 97;
  return {
    spend: formatCents(h % 100_000),
    impressions: String(impressions),
    clicks: String(clicks),
    inline_link_clicks: String(Math.floor(clicks / 2)),
  };
}

export function metricsFor(scenario: FakeScenario, adId: string, day: string): FakeMetrics | null {
  const pinned = scenario.metrics.get(`${adId}:${day}`);
  if (pinned !== undefined) return pinned;
  return scenario.generate === false ? null : generatedMetrics(adId, day);
}

export function makeAds(accountId: string, count: number, campaigns = 2): FakeAd[] {
  return Array.from({ length: count }, (_, i) => {
    const c = i % campaigns;
    return {
      id: `${accountId}${String(i + 1).padStart(4, "0")}`,
      name: `Ad ${i + 1} of ${accountId}`,
      adset_id: `${accountId}9${c}1`,
      adset_name: `Ad set ${c + 1}`,
      campaign_id: `${accountId}9${c}0`,
      campaign_name: `Campaign ${c + 1}`,
    };
  });
}

/**
 * The demo: two Business Managers; 111 is owned by one and a client account of the other (and
 * listed by /me/adaccounts too); USD and KZT accounts in Asia/Almaty and America/Los_Angeles; a
 * personal account outside any business; an account without ads (insights `{"data": []}`).
 */
export function demoScenario(): FakeScenario {
  const school = { id: "1001", name: "Voronka School" };
  const agency = { id: "1002", name: "Partner Agency BM" };
  const account = (
    id: string,
    name: string,
    currency: string,
    tz: string,
    business: typeof school | undefined,
    ads: number,
  ) => ({ id, name, currency, timezone_name: tz, account_status: 1, business, ads: makeAds(id, ads) }) as FakeAccount;
  return {
    businesses: [
      { ...school, owned: ["111", "222"], client: ["333"] },
      { ...agency, owned: ["333", "555"], client: ["111"] },
    ],
    me_adaccounts: ["111", "444"],
    accounts: {
      "111": account("111", "Kenesary — Instagram", "USD", "Asia/Almaty", school, 3),
      "222": account("222", "Traf4 — Reels", "KZT", "Asia/Almaty", school, 2),
      "333": account("333", "Agency — Los Angeles", "USD", "America/Los_Angeles", agency, 2),
      "444": account("444", "Personal account", "USD", "America/Los_Angeles", undefined, 1),
      "555": account("555", "Empty account", "USD", "Asia/Almaty", agency, 0),
    },
    metrics: new Map(),
  };
}

/**
 * The ads supabase/seed.sql gives an account, with the same ids and names (ad k: id = account id
 * followed by k, ad set (k + 1) / 2, one campaign per account), so that the demo's leads, whose
 * utm_content carries these ad ids (or, for nurlan, names), stay matched after a sync.
 */
export function seedAds(accountId: string, accountName: string, count: number): FakeAd[] {
  const prefix = accountName.split(" |")[0];
  return Array.from({ length: count }, (_, i) => {
    const adset = Math.floor((i + 2) / 2);
    return {
      id: `${accountId}${i + 1}`,
      name: `${prefix} | Video ${i + 1}`,
      adset_id: `${accountId}${adset}`,
      adset_name: `Adset ${adset} | Almaty 25-45`,
      campaign_id: `${accountId}0`,
      campaign_name: `${prefix} | ProfTest | Leads`,
    };
  });
}

/**
 * The local demo's Facebook (`npm run fake:facebook`): the Business Managers and ad accounts of
 * supabase/seed.sql, with the same ids, so a sync against it lands on accounts that already belong
 * to a team (kenesary, traf4, nurlan) instead of new, unattributed ones. The seed's agency test
 * account (no team on purpose) has no ads. tests/facebook/seed-scenario.test.ts keeps the two in step.
 */
export function seedScenario(): FakeScenario {
  const school = { id: "100000000000001", name: "Voronka School BM" };
  const agency = { id: "100000000000002", name: "Partner Agency BM" };
  const account = (id: string, name: string, currency: string, tz: string, business: typeof school, ads: number) =>
    ({
      id,
      name,
      currency,
      timezone_name: tz,
      account_status: 1,
      business,
      ads: seedAds(id, name, ads),
    }) as FakeAccount;
  return {
    businesses: [
      { ...school, owned: ["200000000000001", "200000000000002"], client: [] },
      { ...agency, owned: ["200000000000003", "200000000000004"], client: [] },
    ],
    me_adaccounts: [],
    accounts: {
      "200000000000001": account("200000000000001", "Kenesary | USD", "USD", "Asia/Almaty", school, 5),
      "200000000000002": account("200000000000002", "Traf4 | KZT", "KZT", "Asia/Almaty", school, 5),
      "200000000000003": account("200000000000003", "Nurlan | USD | LA", "USD", "America/Los_Angeles", agency, 5),
      "200000000000004": account("200000000000004", "Agency test account", "USD", "Asia/Almaty", agency, 0),
    },
    metrics: new Map(),
  };
}

/** The benchmark: `accounts` accounts of one business with `ads` ads each, every ad every day. */
export function benchScenario(accounts: number, ads: number): FakeScenario {
  const business = { id: "2001", name: "Bench BM" };
  const list: Record<string, FakeAccount> = {};
  for (let i = 1; i <= accounts; i++) {
    const id = String(300000 + i);
    list[id] = {
      id,
      name: `Bench account ${i}`,
      currency: i % 2 ? "USD" : "KZT",
      timezone_name: i % 3 ? "Asia/Almaty" : "America/Los_Angeles",
      account_status: 1,
      business,
      ads: makeAds(id, ads, 10),
    };
  }
  return {
    businesses: [{ ...business, owned: Object.keys(list), client: [] }],
    me_adaccounts: [],
    accounts: list,
    metrics: new Map(),
  };
}
