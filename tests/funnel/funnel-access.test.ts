// Who may see what, run as PostgREST runs requests: `set local role` + request.jwt.claims.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asApiRole, asDatabaseRole, createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addAdAccount, addLead, addSale, addTeams, type Report } from "./fixtures.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await addTeams(db.sql, "kenesary", "traf4");
  await addLead(db.sql, "2024-05-10T10:00:00+05:00", "kenesary");
  await addLead(db.sql, "2024-05-10T10:00:00+05:00", "kenesary");
  await addLead(db.sql, "2024-05-10T10:00:00+05:00", "traf4");
  await addLead(db.sql, "2024-05-10T10:00:00+05:00", null);
  // Latest lead and sale per team, for the scoped freshness (every instant is Almaty, UTC+5):
  //   kenesary: lead 05-12 09:00, sale 05-20 12:00; traf4: lead 05-25 09:00, sale 05-28 12:00.
  await addLead(db.sql, "2024-05-12T09:00:00+05:00", "kenesary");
  await addLead(db.sql, "2024-05-25T09:00:00+05:00", "traf4");
  await addSale(db.sql, { at: "2024-05-20T12:00:00+05:00", product: "express", amount: "5000", utmSource: "kenesary" });
  await addSale(db.sql, { at: "2024-05-28T12:00:00+05:00", product: "express", amount: "5000", utmSource: "traf4" });
  await addAdAccount(db.sql, { id: "7001", currency: "KZT", team: "traf4" });
});
afterAll(() => db.drop());

const TRAF4_LEADS = 2;
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
    expect(leadsOf(report)).toBe(TRAF4_LEADS);
    expect(leadsOf(await reportAs(teamUser(["traf4"]), "traf4"))).toBe(TRAF4_LEADS);
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
    expect(leadsOf(admin)).toBe(6);
    const service = await reportAs({ role: "service_role" });
    expect(leadsOf(service)).toBe(6);
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

describe("the database role decides, a JWT claim can only narrow it", () => {
  const forged = { role: "service_role", app_metadata: { teams: ["traf4"] } };

  it("keeps a member with a forged service_role claim to its own teams", async () => {
    const report = await asDatabaseRole(db.sql, "authenticated", forged, async (tx) => {
      const [row] = await tx`select public.funnel_report(null, 30, '2024-05-31') as r`;
      return row.r as Report;
    });
    expect(report.teams).toEqual(["traf4"]);
    expect(leadsOf(report)).toBe(TRAF4_LEADS);
    await expect(
      asDatabaseRole(db.sql, "authenticated", forged, (tx) => tx`select public.funnel_report('kenesary', 30)`),
    ).rejects.toMatchObject({ code: "42501", message: 'you may not see team "kenesary"' });
    const rows = await asDatabaseRole(
      db.sql,
      "authenticated",
      forged,
      (tx) => tx`select ad_account_id from public.facebook_ad_accounts()`,
    );
    expect(rows.map((r) => r.ad_account_id)).toEqual(["7001"]);
  });

  it("does not let a forged claim assign ad accounts", async () => {
    await expect(
      asDatabaseRole(
        db.sql,
        "authenticated",
        forged,
        (tx) => tx`select public.assign_facebook_ad_account('7001', 'kenesary')`,
      ),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(
      asDatabaseRole(db.sql, "authenticated", { role: "service_role" }, (tx) => tx`select public.funnel_report()`),
    ).rejects.toMatchObject({ code: "42501", message: /has no teams/ });
    const [account] = await db.sql`select team_id from voronka.fb_ad_account where id = '7001'`;
    expect(account.team_id).toBe("traf4");
  });

  it("narrows service_role carrying a member's claims, and anon stays out whatever it claims", async () => {
    const narrowed = await asDatabaseRole(
      db.sql,
      "service_role",
      { role: "authenticated", app_metadata: { teams: ["traf4"] } },
      async (tx) => {
        const [row] = await tx`select public.funnel_report(null, 30, '2024-05-31') as r`;
        return row.r as Report;
      },
    );
    expect(narrowed.teams).toEqual(["traf4"]);
    await expect(
      asDatabaseRole(db.sql, "anon", { role: "service_role" }, (tx) => tx`select public.funnel_report()`),
    ).rejects.toMatchObject({ code: "42501" });
  });
});

describe("a member cannot probe which teams exist", () => {
  it("gives a member the same 42501 for an unknown team and another team's", async () => {
    const forbidden = reportAs(teamUser(["traf4"]), "kenesary");
    await expect(forbidden).rejects.toMatchObject({ code: "42501", message: 'you may not see team "kenesary"' });
    const unknown = reportAs(teamUser(["traf4"]), "nobody");
    await expect(unknown).rejects.toMatchObject({ code: "42501", message: 'you may not see team "nobody"' });
    await expect(
      asApiRole(db.sql, teamUser(["traf4"]), (tx) => tx`select * from public.funnel_daily('nobody')`),
    ).rejects.toMatchObject({ code: "42501", message: 'you may not see team "nobody"' });
  });

  it("still tells admins and service_role that a team is unknown", async () => {
    await expect(reportAs({ role: "authenticated", app_metadata: { role: "admin" } }, "nobody")).rejects.toMatchObject({
      code: "22023",
      message: 'unknown team "nobody"',
    });
    await expect(reportAs({ role: "service_role" }, "nobody")).rejects.toMatchObject({
      code: "22023",
      message: 'unknown team "nobody"',
    });
  });
});

describe("freshness is scoped to the caller's teams", () => {
  const latest = (r: Report) => ({
    lead: new Date(r.freshness.last_lead_at as string).toISOString(),
    sale: new Date(r.freshness.last_sale_at as string).toISOString(),
  });

  it("gives a member the latest lead and sale of its own teams, not of the whole school", async () => {
    // 09:00 Almaty = 04:00 UTC, 12:00 Almaty = 07:00 UTC.
    expect(latest(await reportAs(teamUser(["traf4"])))).toEqual({
      lead: "2024-05-25T04:00:00.000Z",
      sale: "2024-05-28T07:00:00.000Z",
    });
    expect(latest(await reportAs(teamUser(["kenesary"])))).toEqual({
      lead: "2024-05-12T04:00:00.000Z",
      sale: "2024-05-20T07:00:00.000Z",
    });
    expect(latest(await reportAs({ role: "authenticated", app_metadata: { role: "admin" } }))).toEqual({
      lead: "2024-05-25T04:00:00.000Z",
      sale: "2024-05-28T07:00:00.000Z",
    });
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
    await expect(db.sql`select public.funnel_report(null, null)`).rejects.toMatchObject({
      code: "22023",
      message: "p_days must be between 1 and 366, got null",
    });
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
