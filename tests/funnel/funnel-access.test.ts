// Who may see what, run as PostgREST runs requests: `set local role` + request.jwt.claims.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asApiRole, createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addLead, addTeams, type Report } from "./fixtures.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await addTeams(db.sql, "kenesary", "traf4");
  await addLead(db.sql, "2024-05-10T10:00:00+05:00", "kenesary");
  await addLead(db.sql, "2024-05-10T10:00:00+05:00", "kenesary");
  await addLead(db.sql, "2024-05-10T10:00:00+05:00", "traf4");
  await addLead(db.sql, "2024-05-10T10:00:00+05:00", null);
});
afterAll(() => db.drop());

const teamUser = (teams: unknown) => ({ role: "authenticated" as const, app_metadata: { teams } });
const leadsOf = (r: Report) => r.stages.find((s) => s.id === "leads")?.count;

async function reportAs(claims: Parameters<typeof asApiRole>[1], team: string | null = null): Promise<Report> {
  return asApiRole(db.sql, claims, async (tx) => {
    const [row] = await tx`select public.funnel_report(${team}, 30, '2024-05-31') as r`;
    return row.r as Report;
  });
}

describe("funnel_report access", () => {
  it("shows a team user only its own teams", async () => {
    const report = await reportAs(teamUser(["traf4"]));
    expect(report.teams).toEqual(["traf4"]);
    expect(report.by_team.map((t) => t.team)).toEqual(["traf4"]);
    expect(leadsOf(report)).toBe(1);
    expect(leadsOf(await reportAs(teamUser(["traf4"]), "traf4"))).toBe(1);
  });

  it("refuses another team's funnel with an error that says so", async () => {
    await expect(reportAs(teamUser(["traf4"]), "kenesary")).rejects.toMatchObject({
      code: "42501",
      message: 'you may not see team "kenesary"',
    });
    await expect(reportAs(teamUser(["traf4"]), "unattributed")).rejects.toMatchObject({ code: "42501" });
  });

  it("refuses a user without teams", async () => {
    await expect(reportAs(teamUser([]))).rejects.toMatchObject({ code: "42501", message: /has no teams/ });
    await expect(reportAs({ role: "authenticated" })).rejects.toMatchObject({ code: "42501" });
    // A team that does not exist grants nothing.
    await expect(reportAs(teamUser(["ghost"]))).rejects.toMatchObject({ code: "42501" });
  });

  it("shows admins and service_role every team and the unattributed bucket", async () => {
    const admin = await reportAs({ role: "authenticated", app_metadata: { role: "admin" } });
    expect(admin.teams).toEqual(["kenesary", "traf4", "unattributed"]);
    expect(leadsOf(admin)).toBe(4);
    const service = await reportAs({ role: "service_role" });
    expect(leadsOf(service)).toBe(4);
  });

  it("denies anon entirely", async () => {
    await expect(reportAs({ role: "anon" })).rejects.toMatchObject({ code: "42501", message: /permission denied/ });
    await expect(
      asApiRole(db.sql, { role: "anon" }, (tx) => tx`select * from public.funnel_daily()`),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("keeps API roles away from the tables and the materialized view", async () => {
    for (const role of ["anon", "authenticated"] as const) {
      await expect(
        asApiRole(db.sql, { role, app_metadata: { role: "admin" } }, (tx) => tx`select * from voronka.lead`),
      ).rejects.toMatchObject({ code: "42501" });
      await expect(
        asApiRole(
          db.sql,
          { role, app_metadata: { role: "admin" } },
          (tx) => tx`select * from analytics.funnel_analytics`,
        ),
      ).rejects.toMatchObject({ code: "42501" });
    }
  });

  it("limits funnel_daily rows to the caller's teams", async () => {
    const rows = await asApiRole(
      db.sql,
      teamUser(["kenesary"]),
      (tx) => tx`select distinct team from public.funnel_daily(null, 30, '2024-05-31')`,
    );
    expect(rows.map((r) => r.team)).toEqual(["kenesary"]);
  });
});

describe("argument errors", () => {
  for (const days of [0, 367, -5]) {
    it(`rejects p_days = ${days}`, async () => {
      await expect(db.sql`select public.funnel_report(null, ${days})`).rejects.toMatchObject({
        code: "22023",
        message: `p_days must be between 1 and 366, got ${days}`,
      });
    });
  }
  it("rejects p_days = null and an unknown team", async () => {
    await expect(db.sql`select public.funnel_report(null, null)`).rejects.toMatchObject({ code: "22023" });
    await expect(db.sql`select public.funnel_report('nobody')`).rejects.toMatchObject({
      code: "22023",
      message: 'unknown team "nobody"',
    });
    await expect(db.sql`select * from public.funnel_daily('nobody')`).rejects.toMatchObject({ code: "22023" });
  });
  it("accepts the edges 1 and 366", async () => {
    const [one] = await db.sql`select public.funnel_report(null, 1, '2024-05-10') as r`;
    expect(one.r.window).toMatchObject({ from: "2024-05-10", until: "2024-05-10", days: 1 });
    const [year] = await db.sql`select public.funnel_report(null, 366, '2024-12-31') as r`;
    expect(year.r.window).toMatchObject({ from: "2024-01-01", days: 366 });
  });
});
