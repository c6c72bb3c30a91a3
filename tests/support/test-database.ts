// A fresh database per test file (or per test), cloned from the migrated template.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { inject } from "vitest";
import { createDatabase, dropDatabase, runSqlFile } from "../../scripts/lib/database-setup.ts";
import { SEED_SQL } from "../../scripts/lib/paths.ts";
import { databaseUrl } from "../../scripts/lib/local-postgres.ts";
import { type ApiRole, asApiRole as runAsApiRole } from "../../supabase/functions/_shared/api-role.ts";

export type Sql = postgres.Sql;

export interface TestDatabase {
  name: string;
  url: string;
  sql: Sql;
  /** Closes connections and drops the database. */
  drop(): Promise<void>;
}

export function serverUrl(): string {
  return databaseUrl(inject("postgresPort"));
}

export async function createTestDatabase(options: { seed?: boolean } = {}): Promise<TestDatabase> {
  const name = `test_${randomBytes(6).toString("hex")}`;
  await createDatabase(serverUrl(), name, inject("templateDatabase"));
  const url = databaseUrl(inject("postgresPort"), name);
  if (options.seed) await runSqlFile(url, SEED_SQL);
  const sql = postgres(url, { onnotice: () => {}, max: 5 });
  return {
    name,
    url,
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      await dropDatabase(serverUrl(), name);
    },
  };
}

/**
 * Runs `fn` inside a transaction as PostgREST would for a request: `set local role <role>` and
 * the JWT claims in `request.jwt.claims`. Rolled back afterwards.
 */
export async function asApiRole<T>(
  sql: Sql,
  claims: { role: ApiRole; app_metadata?: Record<string, unknown> },
  fn: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  return asDatabaseRole(sql, claims.role, claims, fn);
}

/**
 * Like asApiRole, but the database role and the JWT claims are given apart, e.g. database role
 * `authenticated` with a forged claim `"role": "service_role"`: the database role must decide.
 */
export async function asDatabaseRole<T>(
  sql: Sql,
  role: ApiRole,
  claims: Record<string, unknown>,
  fn: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  return runAsApiRole(sql, role, fn, { claims, rollback: true });
}
