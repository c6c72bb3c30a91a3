// Brings a database to the state hosted Supabase would have: the local-only bootstrap of
// Supabase's roles and auth helpers, then our migrations through the Supabase CLI, then
// (optionally) the demo seed.
import { readFile } from "node:fs/promises";
import path from "node:path";
import postgres from "postgres";
import { addDemoUsers } from "../local/demo-users.ts";
import { migrationUp } from "./supabase-cli.ts";
import { BOOTSTRAP_SQL, PROJECT_ROOT, SEED_SQL } from "./paths.ts";

export async function runSqlFile(dbUrl: string, file: string): Promise<void> {
  const sql = postgres(dbUrl, { onnotice: () => {}, max: 1 });
  try {
    await sql.unsafe(await readFile(file, "utf8"));
  } catch (error) {
    throw new Error(`${path.relative(PROJECT_ROOT, file)} failed: ${(error as Error).message}`);
  } finally {
    await sql.end();
  }
}

export async function createDatabase(serverUrl: string, name: string, template?: string): Promise<void> {
  const sql = postgres(serverUrl, { onnotice: () => {}, max: 1 });
  try {
    await sql.unsafe(`create database "${name}"${template ? ` template "${template}"` : ""}`);
  } finally {
    await sql.end();
  }
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const sql = postgres(serverUrl, { onnotice: () => {}, max: 1 });
  try {
    await sql.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await sql.end();
  }
}

/**
 * Bootstrap (idempotent) + `supabase migration up` (a no-op when nothing is pending) + the local
 * demo logins (auth.users; kept when they exist).
 */
export async function prepareDatabase(
  dbUrl: string,
  options: { seed?: boolean; includeAll?: boolean } = {},
): Promise<void> {
  await runSqlFile(dbUrl, BOOTSTRAP_SQL);
  await migrationUp(dbUrl, { includeAll: options.includeAll });
  await addDemoUsers(dbUrl);
  if (options.seed) await runSqlFile(dbUrl, SEED_SQL);
}
