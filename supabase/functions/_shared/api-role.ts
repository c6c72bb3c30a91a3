// Runs SQL as the Data API (PostgREST) runs a request: inside a transaction, `set local role` to
// the API role and the JWT's claims in `request.jwt.claims`. The public RPCs decide access from
// exactly these two (see README → Access), so the health function, the terminal tools, the
// benchmark and the tests all call them this one way.
import type postgres from "postgres";
import type { Sql } from "./database.ts";

export type ApiRole = "anon" | "authenticated" | "service_role";

export interface ApiRoleOptions {
  /** JWT claims; default `{"role": <role>}` (what the service key carries). */
  claims?: Record<string, unknown>;
  /** Roll the transaction back instead of committing (tests that must leave no trace). */
  rollback?: boolean;
}

/** `fn`'s result, run as `role` with `claims`. */
export async function asApiRole<T>(
  sql: Sql,
  role: ApiRole,
  fn: (tx: postgres.TransactionSql) => Promise<T>,
  options: ApiRoleOptions = {},
): Promise<T> {
  let result: T | undefined;
  const session = async (tx: postgres.TransactionSql) => {
    // The role is an identifier, not a parameter: only the three names of ApiRole reach here.
    if (!API_ROLES.includes(role)) throw new Error(`not an API role: ${role}`);
    await tx.unsafe(`set local role ${role}`);
    await tx`select set_config('request.jwt.claims', ${JSON.stringify(options.claims ?? { role })}, true)`;
    result = await fn(tx);
    if (options.rollback) throw new Rollback();
  };
  await sql.begin(session).catch((error) => {
    if (!(error instanceof Rollback)) throw error;
  });
  return result as T;
}

const API_ROLES: readonly string[] = ["anon", "authenticated", "service_role"];

class Rollback extends Error {}
