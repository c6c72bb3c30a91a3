// The leads the attribution checks count (analytics.lead_source_rows, read by data_health's
// ad_match_rate), worked out by hand at their edges: a lead at exactly 00:00 Almaty opens its own
// day and not the one before; a cached day at the window's end is in it; and a day written after
// the refresh is read live only, never also from the cache.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addLead, addTeams, refresh } from "./fixtures.ts";

let db: TestDatabase;

// kenesary leads: La 2024-05-10 00:00 Almaty; Lb 2024-05-11 00:00 Almaty; Lc 2024-05-11 12:00.
// Per business day: 05-10 → 1 (La); 05-11 → 2 (Lb, Lc).
beforeAll(async () => {
  db = await createTestDatabase();
  await addTeams(db.sql, "kenesary");
  await addLead(db.sql, "2024-05-10T00:00:00+05:00", "kenesary");
  await addLead(db.sql, "2024-05-11T00:00:00+05:00", "kenesary");
  await addLead(db.sql, "2024-05-11T12:00:00+05:00", "kenesary");
});
afterAll(() => db.drop());

/** ad_match_rate's lead total for kenesary over the `days` business days ending `until`. */
async function leads(until: string, days: number): Promise<number> {
  const [row] = await db.sql`select public.data_health('kenesary', ${days}, ${until}::date) as h`;
  const check = (row.h.checks as { code: string; total: number }[]).find((c) => c.code === "ad_match_rate")!;
  return check.total;
}

it("puts a lead at local midnight on its own day: live and from the cache", async () => {
  for (const state of ["live", "refreshed"]) {
    if (state === "refreshed") await refresh(db.sql);
    expect([await leads("2024-05-10", 1), await leads("2024-05-11", 1)], state).toEqual([1, 2]);
    // Both days, the last one (05-11) included.
    expect(await leads("2024-05-11", 2), state).toBe(3);
  }
});

it("reads a day written after the refresh live, and not from the cache as well", async () => {
  await refresh(db.sql);
  // Ld on 05-11 after the refresh: 05-11 is stale and read live (Lb, Lc, Ld = 3); 05-10 cached (1).
  await addLead(db.sql, "2024-05-11T15:00:00+05:00", "kenesary");
  expect(await leads("2024-05-11", 2)).toBe(4);
  expect(await leads("2024-05-11", 1)).toBe(3);
  await refresh(db.sql);
  expect(await leads("2024-05-11", 2)).toBe(4);
});
