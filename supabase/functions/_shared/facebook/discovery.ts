// Discovery: every Business Manager the token sees, their owned and client ad accounts, and the
// accounts the token reaches directly (/me/adaccounts); de-duplicated by id and stored with one
// SQL call. Accounts are marked invisible only when every edge was read.
import { jsonb, type Sql } from "../database.ts";
import type { GraphClient, RequestOptions } from "./graph-client.ts";
import { GraphError } from "./graph-errors.ts";

export const ACCOUNT_FIELDS = "id,account_id,name,account_status,currency,timezone_name,business";

interface GraphAccount {
  id: string;
  account_id?: string;
  name?: string;
  account_status?: number;
  currency?: string;
  timezone_name?: string;
  business?: { id: string; name?: string };
}

export interface DiscoveredAccount {
  id: string;
  business_id: string | null;
  business_name: string | null;
  name: string;
  currency: string;
  timezone_name: string;
  account_status: number;
}

export interface DiscoveryResult {
  businesses: { id: string; name: string }[];
  accounts: DiscoveredAccount[];
  /** False when an edge could not be read: then no account is marked invisible. */
  complete: boolean;
  warnings: GraphError[];
  stored: { businesses: number; accounts: number; new_accounts: number; hidden_accounts: number };
}

async function readAll<T>(client: GraphClient, path: string, params: Record<string, string>, options: RequestOptions) {
  const rows: T[] = [];
  for await (const page of client.pages<T>(path, params, options)) rows.push(...page.data);
  return rows;
}

export async function discoverAccounts(
  client: GraphClient,
  sql: Sql,
  options: { deadline?: number; pageSize?: number } = {},
): Promise<DiscoveryResult> {
  const request: RequestOptions = { deadline: options.deadline };
  const limit = String(Math.min(options.pageSize ?? 100, 100));
  const warnings: GraphError[] = [];
  const accounts = new Map<string, DiscoveredAccount>();

  // Token problems fail the run; any other edge failure is a warning that makes discovery incomplete.
  const tolerant = async <T>(read: () => Promise<T[]>): Promise<T[]> => {
    try {
      return await read();
    } catch (error) {
      if (error instanceof GraphError && error.kind !== "auth") {
        warnings.push(error);
        return [];
      }
      throw error;
    }
  };

  const add = (account: GraphAccount, via?: { id: string; name: string }) => {
    const id = (account.account_id ?? account.id).replace(/^act_/, "");
    if (accounts.has(id) || !/^\d+$/.test(id)) return;
    const business = via ?? (account.business ? { id: account.business.id, name: account.business.name ?? "" } : null);
    accounts.set(id, {
      id,
      business_id: business?.id ?? null,
      business_name: business?.name || null,
      name: account.name ?? id,
      currency: account.currency ?? "USD",
      timezone_name: account.timezone_name ?? "America/Los_Angeles",
      account_status: account.account_status ?? 1,
    });
  };

  const businesses = await tolerant(() =>
    readAll<{ id: string; name: string }>(client, "me/businesses", { fields: "id,name", limit }, request),
  );
  // Owned edges first: an account one business owns and another lists as a client account is the owner's.
  for (const edge of ["owned_ad_accounts", "client_ad_accounts"]) {
    for (const business of businesses) {
      const listed = await tolerant(() =>
        readAll<GraphAccount>(client, `${business.id}/${edge}`, { fields: ACCOUNT_FIELDS, limit }, request),
      );
      for (const account of listed) add(account, business);
    }
  }
  const direct = await tolerant(() =>
    readAll<GraphAccount>(client, "me/adaccounts", { fields: ACCOUNT_FIELDS, limit }, request),
  );
  for (const account of direct) add(account);

  const complete = warnings.length === 0;
  const list = [...accounts.values()];
  const [row] = await sql`
    select voronka.sync_fb_discovery(${jsonb(sql, businesses)}, ${jsonb(sql, list)},
                                     ${complete}) as stored`;
  return { businesses, accounts: list, complete, warnings, stored: row.stored };
}
