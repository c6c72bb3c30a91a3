// The declarative schema (supabase/schemas/*.sql, Supabase's convention) and the migrations
// generated from it. The schema files hold the current definition of every object, one file per
// area, applied in file-name order; migrations are the reviewed steps that bring a deployed
// database there. pg-delta (bundled in the Supabase CLI) diffs two plain Postgres databases, so
// none of this needs Docker.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { createDatabase, dropDatabase, prepareDatabase, runSqlFile } from "./database-setup.ts";
import { BOOTSTRAP_SQL, MIGRATIONS_DIR, PROJECT_ROOT, SCHEMAS_DIR } from "./paths.ts";
import { diffDatabases } from "./supabase-cli.ts";

export { MIGRATIONS_DIR, SCHEMAS_DIR };

/** The schema files in the order they apply (their names start with a number). */
export function schemaFiles(dir = SCHEMAS_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".sql"))
    .sort()
    .map((name) => path.join(dir, name));
}

/**
 * Bootstrap + every schema file, in one session each. Function bodies are not checked while
 * files load (as pg_dump and pg-delta do): a plpgsql or SQL function may name an object a later
 * file defines; the tests run every function afterwards.
 */
export async function applySchemaFiles(dbUrl: string, dir = SCHEMAS_DIR): Promise<void> {
  await runSqlFile(dbUrl, BOOTSTRAP_SQL);
  const sql = postgres(dbUrl, { onnotice: () => {}, max: 1 });
  try {
    for (const file of schemaFiles(dir)) {
      try {
        await sql.unsafe(`set check_function_bodies = off;\n${readFileSync(file, "utf8")}`);
      } catch (error) {
        throw new Error(`${path.relative(PROJECT_ROOT, file)} failed: ${(error as Error).message}`);
      }
    }
  } finally {
    await sql.end();
  }
}

/**
 * The SQL that takes a database built from the migrations to one built from the schema files
 * ("" when they agree). Both are built in fresh databases on the given server.
 */
export async function schemaDrift(server: { urlFor(database: string): string; url: string }): Promise<string> {
  const suffix = `${process.pid}_${Date.now()}`;
  const fromMigrations = `drift_migrations_${suffix}`;
  const fromSchemas = `drift_schemas_${suffix}`;
  try {
    await createDatabase(server.url, fromMigrations);
    await createDatabase(server.url, fromSchemas);
    await prepareDatabase(server.urlFor(fromMigrations));
    await applySchemaFiles(server.urlFor(fromSchemas));
    return await diffDatabases(server.urlFor(fromMigrations), server.urlFor(fromSchemas));
  } finally {
    await dropDatabase(server.url, fromMigrations);
    await dropDatabase(server.url, fromSchemas);
  }
}
