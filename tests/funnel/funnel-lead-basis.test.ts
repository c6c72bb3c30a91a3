// funnel_report's p_basis: the window's sales (sale_date, the default) or what the window's leads
// bought so far (lead_date), on a hand-made set of people.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addTeams, refresh, stage, type Report } from "./fixtures.ts";
import { addPerson, addTaggedSale } from "../ads/fixtures.ts";

let db: TestDatabase;
const UNTIL = "2024-05-31"; // window 2024-05-02 … 2024-05-31

// A (kenesary): lead 05-10; Express 05-12 (in the window) and Flagman 06-20 (after it).
// B (kenesary): lead 04-20 (before the window); Express 05-05.
// C (kenesary): lead 05-15; Express 05-01, before the lead (not bought "since the lead").
// D (kenesary): lead 05-20; Flagman 05-25, lost (voided).
// E (traf4):    lead 05-18; Express 05-20 in a deal tagged kenesary.
beforeAll(async () => {
  db = await createTestDatabase();
  const sql = db.sql;
  await addTeams(sql, "kenesary", "traf4");
  const ken = { source: "kenesary" };
  const a = await addPerson(sql, "2024-05-10T10:00:00+05:00", ken);
  const b = await addPerson(sql, "2024-04-20T10:00:00+05:00", ken);
  const c = await addPerson(sql, "2024-05-15T10:00:00+05:00", ken);
  const d = await addPerson(sql, "2024-05-20T10:00:00+05:00", ken);
  const e = await addPerson(sql, "2024-05-18T10:00:00+05:00", { source: "traf4" });
  const buy = (person: string, at: string, product: "express" | "flagman", voided?: "lost") =>
    addTaggedSale(sql, { person, at, product, amount: product === "express" ? "5000" : "490000", tags: ken, voided });
  await buy(a, "2024-05-12T12:00:00+05:00", "express");
  await buy(a, "2024-06-20T12:00:00+05:00", "flagman");
  await buy(b, "2024-05-05T12:00:00+05:00", "express");
  await buy(c, "2024-05-01T12:00:00+05:00", "express");
  await buy(d, "2024-05-25T12:00:00+05:00", "flagman", "lost");
  await buy(e, "2024-05-20T12:00:00+05:00", "express");
});
afterAll(() => db.drop());

async function report(team: string | null, basis?: string): Promise<Report & { basis: string }> {
  const [row] = basis
    ? await db.sql`select public.funnel_report(${team}, 30, ${UNTIL}::date, ${basis}) as r`
    : await db.sql`select public.funnel_report(${team}, 30, ${UNTIL}::date) as r`;
  return row.r as Report & { basis: string };
}
const sales = (r: Report) => [
  stage(r, "leads").count,
  stage(r, "express").purchases,
  stage(r, "express").revenue,
  stage(r, "flagman").purchases,
  stage(r, "flagman").revenue,
];

describe("funnel_report p_basis", () => {
  it("sale_date (the default) counts the window's sales", async () => {
    const r = await report("kenesary");
    expect(r.basis).toBe("sale_date");
    // A's, B's and E's Express (E's deal is kenesary's); A's Flagman is in June.
    expect(sales(r)).toEqual([3, 3, 15000.0, 0, 0]);
    expect(sales(await report("traf4"))).toEqual([1, 0, 0, 0, 0]);
  });

  it("lead_date counts what the window's leads bought since, to date, for their lead's team", async () => {
    for (const cached of [false, true]) {
      if (cached) await refresh(db.sql);
      const ken = await report("kenesary", "lead_date");
      expect(ken.basis).toBe("lead_date");
      // A: Express and the June Flagman; B's lead is before the window, C bought before the lead,
      // D's Flagman was voided.
      expect(sales(ken)).toEqual([3, 1, 5000.0, 1, 490000.0]);
      expect(ken.totals).toMatchObject({ revenue: 495000.0 });
      expect(sales(await report("traf4", "lead_date"))).toEqual([1, 1, 5000.0, 0, 0]); // E, credited to its lead's team
      expect(sales(await report(null, "lead_date"))).toEqual([4, 2, 10000.0, 1, 490000.0]);
    }
  });

  it("refuses an unknown basis", async () => {
    await expect(report(null, "cash")).rejects.toMatchObject({
      code: "22023",
      message: 'p_basis must be one of sale_date, lead_date, got "cash"',
    });
  });
});

describe("the lead-date basis at its edges", () => {
  // Window 2024-05-02 … 2024-05-31 in Asia/Almaty (UTC+5).
  // P1 (edge): lead at the window's first instant, Express 05-03: in.
  // P2 (edge): lead at the first instant after the window, Express 06-02: out.
  // P3 (edge): lead 05-10 10:00 and Express at that same instant: bought since the lead, in.
  // P4 (no team): lead 05-12, Flagman 05-20: the unattributed bucket.
  // P5 (edge): lead on the window's last day, 23:00; Express 06-05 (after the window, bought since): in.
  let own: TestDatabase;
  beforeAll(async () => {
    own = await createTestDatabase();
    const sql = own.sql;
    await addTeams(sql, "edge");
    const edge = { source: "edge" };
    const buy = (person: string, at: string, product: "express" | "flagman") =>
      addTaggedSale(sql, { person, at, product, amount: product === "express" ? "5000" : "490000", tags: edge });
    await buy(await addPerson(sql, "2024-05-02T00:00:00+05:00", edge), "2024-05-03T12:00:00+05:00", "express");
    await buy(await addPerson(sql, "2024-06-01T00:00:00+05:00", edge), "2024-06-02T12:00:00+05:00", "express");
    await buy(await addPerson(sql, "2024-05-10T10:00:00+05:00", edge), "2024-05-10T10:00:00+05:00", "express");
    await buy(
      await addPerson(sql, "2024-05-12T10:00:00+05:00", { source: "nobody" }),
      "2024-05-20T12:00:00+05:00",
      "flagman",
    );
    await buy(await addPerson(sql, "2024-05-31T23:00:00+05:00", edge), "2024-06-05T12:00:00+05:00", "express");
  });
  afterAll(() => own.drop());

  it("takes the window's first instant and not the next day's, and a purchase at the lead's instant", async () => {
    const rows = await own.sql`
      select team_id, express_purchases::int, express_revenue::float8, flagman_purchases::int,
             flagman_revenue::float8, sale_rows_missing_rate::int
      from analytics.lead_date_sales('2024-05-02', '2024-05-31') order by team_id`;
    expect(rows).toEqual([
      {
        team_id: "edge",
        express_purchases: 3,
        express_revenue: 15000,
        flagman_purchases: 0,
        flagman_revenue: 0,
        sale_rows_missing_rate: 0,
      },
      {
        team_id: "unattributed",
        express_purchases: 0,
        express_revenue: 0,
        flagman_purchases: 1,
        flagman_revenue: 490000,
        sale_rows_missing_rate: 0,
      },
    ]);
    const [row] = await own.sql`select public.funnel_report('edge', 30, '2024-05-31'::date, 'lead_date') as r`;
    expect(sales(row.r as Report)).toEqual([3, 3, 15000.0, 0, 0]);
  });
});
