// The SQL side of the sync on cases the fake Graph API never produces: an (ad, day) repeated
// within one page, and checkpoints across runs of different lengths. Values by hand.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";

let db: TestDatabase;
const ACCOUNT = "200000000000301";

beforeAll(async () => {
  db = await createTestDatabase();
  await db.sql`
    insert into voronka.fb_ad_account (id, name, currency, timezone_name)
    values (${ACCOUNT}, 'Edge account', 'USD', 'Asia/Almaty')`;
});
afterAll(() => db.drop());

const row = (ad: string, day: string, spend: string, clicks: string) => ({
  ad_id: ad,
  ad_name: `Ad ${ad}`,
  account_id: ACCOUNT,
  date_start: day,
  date_stop: day,
  spend,
  impressions: "100",
  clicks,
});

describe("insights page upsert", () => {
  it("keeps the later of two rows for the same ad and day in one page", async () => {
    const page = [
      row("300000000000301", "2026-11-20", "10.00", "1"),
      row("300000000000302", "2026-11-20", "7.77", "2"),
      row("300000000000301", "2026-11-20", "12.50", "4"),
    ];
    await db.sql`select voronka.upsert_fb_ad_insights(${ACCOUNT}, ${db.sql.json(page)})`;
    const stored = await db.sql`
      select ad_id, spend::text, clicks::int from voronka.fb_ad_insight where ad_account_id = ${ACCOUNT} order by ad_id`;
    expect(stored).toEqual([
      { ad_id: "300000000000301", spend: "12.50", clicks: 4 },
      { ad_id: "300000000000302", spend: "7.77", clicks: 2 },
    ]);
  });
});

describe("sync checkpoints", () => {
  const progress = (doneUntil: string | null, resumeFrom: string | null) =>
    db.sql`select voronka.record_fb_account_progress(${ACCOUNT}, ${doneUntil}::date, ${resumeFrom}::date, null, null)`;
  const checkpoint = async () =>
    (
      await db.sql`
        select insights_synced_until::text as until, insights_resume_from::text as resume
        from voronka.fb_ad_account where id = ${ACCOUNT}`
    )[0];

  it("never moves backwards after a shorter run, and an interrupted range resumes where it stopped", async () => {
    await progress("2026-11-20", null);
    expect(await checkpoint()).toEqual({ until: "2026-11-20", resume: null });
    // A later run that only reached the 10th (a lookback re-read) keeps the 20th.
    await progress("2026-11-10", null);
    expect(await checkpoint()).toEqual({ until: "2026-11-20", resume: null });
    // Interrupted at the 15th: remembered, checkpoint unchanged.
    await progress(null, "2026-11-15");
    expect(await checkpoint()).toEqual({ until: "2026-11-20", resume: "2026-11-15" });
    // Interrupted again without a new position: the old one stays.
    await progress(null, null);
    expect(await checkpoint()).toEqual({ until: "2026-11-20", resume: "2026-11-15" });
    // Completed up to the 22nd: the resume point is cleared.
    await progress("2026-11-22", null);
    expect(await checkpoint()).toEqual({ until: "2026-11-22", resume: null });
  });
});
