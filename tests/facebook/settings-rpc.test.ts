// The settings page API: list businesses and ad accounts, assign accounts to teams (admins only).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asApiRole, createTestDatabase, type TestDatabase } from "../support/test-database.ts";

let db: TestDatabase;
const admin = { role: "authenticated" as const, app_metadata: { role: "admin" } };
const kenesary = { role: "authenticated" as const, app_metadata: { teams: ["kenesary"] } };

beforeAll(async () => {
  db = await createTestDatabase();
  await db.sql`insert into voronka.team (id, name) values ('kenesary', 'Kenesary'), ('traf4', 'Traf4')`;
  await db.sql`select voronka.sync_fb_discovery(
    '[{"id": "1001", "name": "School"}]'::jsonb,
    '[{"id": "act_111", "business_id": "1001", "name": "A", "currency": "USD", "timezone_name": "Asia/Almaty", "account_status": 1},
      {"id": "222", "business_id": "1001", "name": "B", "currency": "KZT", "timezone_name": "Asia/Almaty", "account_status": 2},
      {"id": "333", "name": "C", "currency": "USD", "timezone_name": "America/Los_Angeles", "account_status": 1}]'::jsonb,
    true)`;
});
afterAll(() => db?.drop());

describe("Facebook settings RPCs", () => {
  it("an admin assigns accounts and businesses to teams; the list shows them with business and status", async () => {
    await asApiRole(db.sql, admin, async (tx) => {
      await tx`select public.assign_facebook_ad_account('act_111', 'kenesary')`;
      const [changed] = await tx`select public.assign_facebook_business('1001', 'traf4') as n`;
      expect(changed.n).toBe(2);
      await tx`select public.assign_facebook_ad_account('111', 'kenesary')`;
      const list =
        await tx`select business_name, ad_account_id, currency, timezone_name, account_status, team_id, is_visible from public.facebook_ad_accounts()`;
      expect(list).toEqual([
        {
          business_name: "School",
          ad_account_id: "111",
          currency: "USD",
          timezone_name: "Asia/Almaty",
          account_status: 1,
          team_id: "kenesary",
          is_visible: true,
        },
        {
          business_name: "School",
          ad_account_id: "222",
          currency: "KZT",
          timezone_name: "Asia/Almaty",
          account_status: 2,
          team_id: "traf4",
          is_visible: true,
        },
        {
          business_name: null,
          ad_account_id: "333",
          currency: "USD",
          timezone_name: "America/Los_Angeles",
          account_status: 1,
          team_id: null,
          is_visible: true,
        },
      ]);
      await expect(tx`select public.assign_facebook_ad_account('act_999', 'kenesary')`).rejects.toThrow(
        /unknown ad account/,
      );
    });
  });

  it("team members see only their accounts and may not assign; anon gets nothing", async () => {
    await db.sql`select public.assign_facebook_ad_account('111', 'kenesary')`;
    const mine = await asApiRole(db.sql, kenesary, (tx) => tx`select ad_account_id from public.facebook_ad_accounts()`);
    expect(mine.map((r) => r.ad_account_id)).toEqual(["111"]);
    await expect(
      asApiRole(db.sql, kenesary, (tx) => tx`select public.assign_facebook_ad_account('333', 'kenesary')`),
    ).rejects.toThrow(/only admins/);
    await expect(
      asApiRole(db.sql, { role: "anon" }, (tx) => tx`select * from public.facebook_ad_accounts()`),
    ).rejects.toThrow(/permission denied/);
    await expect(db.sql`select public.assign_facebook_ad_account('333', 'nobody')`).rejects.toThrow(/unknown team/);
  });
});
