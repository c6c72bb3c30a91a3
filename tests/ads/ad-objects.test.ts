// voronka.fb_ad_object and voronka.fb_ad_object_name, as the insights trigger keeps them: the
// current name, account and parents are those of the latest day; an older day only widens the span;
// a day without a name keeps the known one. Every expected row is written out by hand.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addAdAccount, addTeams } from "../funnel/fixtures.ts";
import { addAdInsight, addTaggedLead } from "./fixtures.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await addAdAccount(db.sql, { id: "901", currency: "KZT" });
  await addAdAccount(db.sql, { id: "902", currency: "KZT" });
});
afterAll(() => db.drop());

type Row = [day: string, account: string, ad: string | null, adset: [string, string], campaign: [string, string]];

/** Insight rows of ad 1001, all in one statement. */
async function insert(...rows: Row[]) {
  const values = rows.map(([day, account, ad, adset, campaign]) => ({
    ad_id: "1001",
    date_start: day,
    ad_account_id: account,
    ad_name: ad,
    adset_id: adset[0],
    adset_name: adset[1],
    campaign_id: campaign[0],
    campaign_name: campaign[1],
    currency: "KZT",
    spend: "1.00",
  }));
  await db.sql`insert into voronka.fb_ad_insight ${db.sql(values)}`;
}

async function ad() {
  const [row] = await db.sql`
    select name, ad_account_id, campaign_id, adset_id, first_day::text, last_day::text
    from voronka.fb_ad_object where level = 'ad' and id = '1001'`;
  return row;
}

async function names() {
  const rows = await db.sql`
    select level, name, object_id, last_day::text from voronka.fb_ad_object_name order by level, object_id, name`;
  return rows.map((r) => [r.level, r.name, r.object_id, r.last_day]);
}

describe("Facebook objects from the insights", () => {
  it("takes the name and parents of the latest day of one statement, whatever the row order", async () => {
    await insert(
      ["2026-11-12", "901", "New", ["2001", "Set new"], ["3001", "Camp new"]],
      ["2026-11-10", "901", "Old", ["2001", "Set old"], ["3001", "Camp old"]],
    );
    expect(await ad()).toEqual({
      name: "New",
      ad_account_id: "901",
      campaign_id: "3001",
      adset_id: "2001",
      first_day: "2026-11-10",
      last_day: "2026-11-12",
    });
    const [campaign] = await db.sql`select name from voronka.fb_ad_object where level = 'campaign' and id = '3001'`;
    expect(campaign.name).toBe("Camp new");
    expect(await names()).toEqual([
      ["ad", "New", "1001", "2026-11-12"],
      ["ad", "Old", "1001", "2026-11-10"],
      ["adset", "Set new", "2001", "2026-11-12"],
      ["adset", "Set old", "2001", "2026-11-10"],
      ["campaign", "Camp new", "3001", "2026-11-12"],
      ["campaign", "Camp old", "3001", "2026-11-10"],
    ]);
  });

  it("a re-read of the latest day renames and moves the ad (same day: the re-read is newer)", async () => {
    await db.sql`
      update voronka.fb_ad_insight
         set ad_name = 'Renamed', ad_account_id = '902', adset_id = '2002', adset_name = 'Set 2',
             campaign_id = '3002', campaign_name = 'Camp 2'
       where ad_id = '1001' and date_start = '2026-11-12'`;
    expect(await ad()).toEqual({
      name: "Renamed",
      ad_account_id: "902",
      campaign_id: "3002",
      adset_id: "2002",
      first_day: "2026-11-10",
      last_day: "2026-11-12",
    });
  });

  it("a same-day re-read that changes one thing only still writes it", async () => {
    // Each of name, account, campaign and ad set alone (the write is skipped when nothing differs).
    const changes = [
      ["ad_name", "Renamed once more", { name: "Renamed once more" }],
      ["ad_account_id", "901", { ad_account_id: "901" }],
      ["campaign_id", "3003", { campaign_id: "3003" }],
      ["adset_id", "2003", { adset_id: "2003" }],
    ] as const;
    let expected = await ad();
    for (const [column, value, change] of changes) {
      await db.sql`update voronka.fb_ad_insight set ${db.sql(column)} = ${value}
                   where ad_id = '1001' and date_start = '2026-11-12'`;
      expected = { ...expected, ...change };
      expect({ column, object: await ad() }).toEqual({ column, object: expected });
    }
    // Back as the tests below expect it.
    await db.sql`
      update voronka.fb_ad_insight
         set ad_name = 'Renamed', ad_account_id = '902', adset_id = '2002', campaign_id = '3002'
       where ad_id = '1001' and date_start = '2026-11-12'`;
  });

  it("an older day read later widens the span and changes nothing else", async () => {
    await insert(["2026-11-05", "901", "Oldest", ["2000", "Set 0"], ["3000", "Camp 0"]]);
    expect(await ad()).toEqual({
      name: "Renamed",
      ad_account_id: "902",
      campaign_id: "3002",
      adset_id: "2002",
      first_day: "2026-11-05",
      last_day: "2026-11-12",
    });
    expect((await names()).filter((n) => n[0] === "ad")).toEqual([
      ["ad", "New", "1001", "2026-11-12"],
      ["ad", "Old", "1001", "2026-11-10"],
      ["ad", "Oldest", "1001", "2026-11-05"],
      ["ad", "Renamed", "1001", "2026-11-12"],
      ["ad", "Renamed once more", "1001", "2026-11-12"],
    ]);
  });

  it("a newer day without a name keeps the known name and takes the new day", async () => {
    await insert(["2026-11-14", "902", null, ["2002", "Set 2"], ["3002", "Camp 2"]]);
    expect(await ad()).toEqual({
      name: "Renamed",
      ad_account_id: "902",
      campaign_id: "3002",
      adset_id: "2002",
      first_day: "2026-11-05",
      last_day: "2026-11-14",
    });
    // A name seen again on a later day moves its last day on.
    await insert(["2026-11-15", "902", "Old", ["2002", "Set 2"], ["3002", "Camp 2"]]);
    expect((await names()).find((n) => n[0] === "ad" && n[1] === "Old")).toEqual(["ad", "Old", "1001", "2026-11-15"]);
    expect((await ad())!.name).toBe("Old");
  });
});

describe("one name, several ads", () => {
  let own: TestDatabase;
  beforeAll(async () => {
    own = await createTestDatabase();
    await addTeams(own.sql, "kenesary", "traf4");
    await addAdAccount(own.sql, { id: "911", currency: "KZT", team: "kenesary" });
    await addAdAccount(own.sql, { id: "912", currency: "KZT", team: "traf4" });
    await addAdAccount(own.sql, { id: "913", currency: "KZT", team: "kenesary" });
    const ad = (account: string, day: string, id: string, name: string) =>
      addAdInsight(own.sql, {
        account,
        day,
        spend: "1.00",
        currency: "KZT",
        campaign: [`5${id}`, `Campaign ${id}`],
        adset: [`6${id}`, `Set ${id}`],
        ad: [id, name],
      });
    await ad("911", "2026-11-10", "1101", "Promo"); // kenesary's, seen earlier
    await ad("912", "2026-11-12", "1102", "Promo"); // traf4's, seen later
    await ad("911", "2026-11-10", "1103", "Spring"); // kenesary's twice: the later one wins
    await ad("913", "2026-11-12", "1104", "Spring");
  });
  afterAll(() => own.drop());

  async function matched(source: string, content: string) {
    const id = await addTaggedLead(own.sql, "2026-11-13T10:00:00+05:00", { source, content });
    const [lead] = await own.sql`select fb_ad_id, ad_match from voronka.lead where id = ${id}`;
    return [lead.fb_ad_id, lead.ad_match];
  }

  it("prefers the ad in the lead's own team's accounts, however recent the other", async () => {
    expect(await matched("kenesary", "Promo")).toEqual(["1101", "ad_name"]);
    expect(await matched("traf4", "Promo")).toEqual(["1102", "ad_name"]);
  });

  it("among the team's own, the ad seen most recently", async () => {
    expect(await matched("kenesary", "Spring")).toEqual(["1104", "ad_name"]);
  });
});
