// The local demo's two halves agree: `npm run sync:facebook` against `npm run fake:facebook`
// (the seed scenario) writes spend only to the ad accounts supabase/seed.sql gives to teams, so
// the demo's spend lands on kenesary, traf4 and nurlan, not in "unattributed".
import { afterAll, beforeAll, expect, it } from "vitest";
import { seedScenario } from "../../scripts/fakes/facebook-graph/scenario.ts";
import { type FakeGraph, startFakeGraph } from "../../scripts/fakes/facebook-graph/server.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { sync, testConfig, TOKEN } from "./support.ts";

let db: TestDatabase;
let fake: FakeGraph;

beforeAll(async () => {
  db = await createTestDatabase({ seed: true });
  fake = await startFakeGraph({ scenario: seedScenario(), accessToken: TOKEN, port: 0 });
});

afterAll(async () => {
  await fake?.stop();
  await db?.drop();
});

it("the fake's accounts are the seed's, and synced spend goes to the teams", async () => {
  const seeded = await db.sql<{ id: string; business_id: string; team_id: string | null }[]>`
    select id, business_id, team_id from voronka.fb_ad_account order by id`;
  const scenario = seedScenario();
  expect(Object.keys(scenario.accounts).sort()).toEqual(seeded.map((a) => a.id));
  for (const account of Object.values(scenario.accounts)) {
    const row = seeded.find((a) => a.id === account.id)!;
    expect(account.business?.id, account.id).toBe(row.business_id);
    if (account.ads.length > 0) expect(row.team_id, `${account.id} has ads but no team`).not.toBeNull();
  }

  // The same ads, ids and names as the seed: the demo's leads name them in utm_content.
  const seededAds = await db.sql<{ id: string; name: string; adset_id: string; campaign_id: string }[]>`
    select id, name, adset_id, campaign_id from voronka.fb_ad_object where level = 'ad' and ad_account_id = any (${Object.keys(
      scenario.accounts,
    ).filter((id) => scenario.accounts[id].ads.length > 0)}) order by id`;
  const fakeAds = Object.values(scenario.accounts)
    .flatMap((a) => a.ads)
    .map((ad) => ({ id: ad.id, name: ad.name, adset_id: ad.adset_id, campaign_id: ad.campaign_id }))
    .sort((a, b) => a.id.localeCompare(b.id));
  expect(fakeAds).toEqual(seededAds);
  const [{ matched }] = await db.sql`select count(*)::int as matched from voronka.lead where fb_ad_id is not null`;
  const before = await spendByTeam();
  const summary = await sync(db.sql, testConfig(fake, { backfillDays: 3, pageSize: 100 }));
  expect(summary.status).toBe("succeeded");
  expect(summary.rows_read).toBeGreaterThan(0);
  const after = await spendByTeam();
  expect((await db.sql`select count(*)::int as n from voronka.fb_ad_account`)[0].n).toBe(seeded.length);
  expect(after.unattributed ?? 0).toBe(before.unattributed ?? 0);
  expect(Object.keys(after).filter((team) => after[team] !== before[team]).length).toBeGreaterThan(0);
  // The sync renamed nothing and added no ad the leads name: every matched lead stays matched.
  const [{ still }] = await db.sql`select count(*)::int as still from voronka.lead where fb_ad_id is not null`;
  expect(matched).toBeGreaterThan(1000);
  expect(still).toBe(matched);
});

async function spendByTeam(): Promise<Record<string, string>> {
  const rows = await db.sql<{ team: string; spend: string }[]>`
    select coalesce(a.team_id, 'unattributed') as team, sum(i.spend)::text as spend
    from voronka.fb_ad_insight as i join voronka.fb_ad_account as a on a.id = i.ad_account_id
    group by 1`;
  return Object.fromEntries(rows.map((r) => [r.team, r.spend]));
}
