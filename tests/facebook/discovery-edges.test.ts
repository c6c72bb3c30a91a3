// Discovery's own decisions, with Graph answers scripted in-process and the real database: which
// id an account is stored under, what a field Graph left out becomes, which business an account
// belongs to when it is listed twice, the page size, and what a failing edge does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverAccounts } from "../../supabase/functions/_shared/facebook/discovery.ts";
import { GraphClient } from "../../supabase/functions/_shared/facebook/graph-client.ts";
import { GraphError } from "../../supabase/functions/_shared/facebook/graph-errors.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

/** A Graph that answers each path from a table (one page each), recording the limits asked for. */
function graph(answers: Record<string, { status?: number; body: unknown }>) {
  const limits: string[] = [];
  const client = new GraphClient({
    graphUrl: "https://graph.test",
    version: "v26.0",
    accessToken: "tok",
    requestTimeoutMs: 5_000,
    maxRetries: 0,
    retryBaseMs: 1,
    fetch: (async (input: string | URL | Request) => {
      const url = new URL(String(input));
      limits.push(url.searchParams.get("limit") ?? "");
      const answer = answers[url.pathname.replace("/v26.0/", "")] ?? { body: { data: [] } };
      return new Response(JSON.stringify(answer.body), { status: answer.status ?? 200 });
    }) as typeof fetch,
  });
  return { client, limits };
}

describe("discoverAccounts", () => {
  it("stores accounts under account_id without act_, fills what Graph left out, and keeps the owner's business", async () => {
    const { client, limits } = graph({
      "me/businesses": {
        body: {
          data: [
            { id: "7001", name: "Owner" },
            { id: "7002", name: "" },
          ],
        },
      },
      "7001/owned_ad_accounts": {
        body: {
          data: [
            {
              id: "act_901",
              account_id: "901",
              name: "Owned",
              currency: "KZT",
              timezone_name: "Asia/Almaty",
              account_status: 2,
            },
          ],
        },
      },
      // 901 again as 7002's client account: the owner (7001) keeps it. 902: no name, currency, zone or status.
      "7002/client_ad_accounts": { body: { data: [{ id: "act_901" }, { id: "act_902" }] } },
      // Direct accounts: one naming its business, one with an id that is not digits (skipped).
      "me/adaccounts": {
        body: {
          data: [
            { id: "act_903", business: { id: "7003" } },
            { id: "act_x1" },
            { id: "act_904", name: "Mine" },
            { id: "act_906", business: { id: "7006", name: "Named" } },
          ],
        },
      },
    });
    const result = await discoverAccounts(client, db.sql, { pageSize: 500 });
    expect(result.complete).toBe(true);
    expect(result.warnings).toEqual([]);
    expect(result.accounts).toEqual([
      {
        id: "901",
        business_id: "7001",
        business_name: "Owner",
        name: "Owned",
        currency: "KZT",
        timezone_name: "Asia/Almaty",
        account_status: 2,
      },
      {
        id: "902",
        business_id: "7002",
        business_name: null,
        name: "902",
        currency: "USD",
        timezone_name: "America/Los_Angeles",
        account_status: 1,
      },
      {
        id: "903",
        business_id: "7003",
        business_name: null,
        name: "903",
        currency: "USD",
        timezone_name: "America/Los_Angeles",
        account_status: 1,
      },
      {
        id: "904",
        business_id: null,
        business_name: null,
        name: "Mine",
        currency: "USD",
        timezone_name: "America/Los_Angeles",
        account_status: 1,
      },
      {
        id: "906",
        business_id: "7006",
        business_name: "Named",
        name: "906",
        currency: "USD",
        timezone_name: "America/Los_Angeles",
        account_status: 1,
      },
    ]);
    // Pages of at most 100 items, whatever the insights page size.
    expect(new Set(limits)).toEqual(new Set(["100"]));
    const stored = await db.sql`select id, business_id from voronka.fb_ad_account order by id`;
    expect(stored).toEqual([
      { id: "901", business_id: "7001" },
      { id: "902", business_id: "7002" },
      { id: "903", business_id: "7003" },
      { id: "904", business_id: null },
      { id: "906", business_id: "7006" },
    ]);
  });

  it("asks for smaller pages when the page size is smaller, and 100 by default", async () => {
    const small = graph({});
    await discoverAccounts(small.client, db.sql, { pageSize: 7 });
    expect(new Set(small.limits)).toEqual(new Set(["7"]));
    const byDefault = graph({});
    await discoverAccounts(byDefault.client, db.sql);
    expect(new Set(byDefault.limits)).toEqual(new Set(["100"]));
  });

  it("an edge it cannot read is a warning that makes discovery incomplete; a rejected token ends it", async () => {
    const partial = graph({
      "me/businesses": { body: { data: [{ id: "7001", name: "Owner" }] } },
      "7001/client_ad_accounts": { status: 403, body: { error: { code: 200, message: "no permission" } } },
      "me/adaccounts": { body: { data: [{ id: "act_905" }] } },
    });
    const result = await discoverAccounts(partial.client, db.sql);
    expect(result.complete).toBe(false);
    expect(result.warnings.map((w) => w.kind)).toEqual(["permission"]);
    expect(result.accounts.map((a) => a.id)).toEqual(["905"]);

    const rejected = graph({ "me/businesses": { status: 400, body: { error: { code: 190, message: "expired" } } } });
    const error = await discoverAccounts(rejected.client, db.sql).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).kind).toBe("auth");
  });
});
