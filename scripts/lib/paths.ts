// Where things are in this checkout: every script and test finds the project's folders here,
// resolved from this file, so they work from any working directory.
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** `path.join(PROJECT_ROOT, ...parts)`. */
export function projectPath(...parts: string[]): string {
  return path.join(PROJECT_ROOT, ...parts);
}

export const MIGRATIONS_DIR = projectPath("supabase/migrations");
export const SCHEMAS_DIR = projectPath("supabase/schemas");
export const FUNCTIONS_DIR = projectPath("supabase/functions");
export const SEED_SQL = projectPath("supabase/seed.sql");
export const BOOTSTRAP_SQL = projectPath("scripts/local/supabase-bootstrap.sql");
export const DATABASE_TYPES_FILE = projectPath("supabase/types/database.types.ts");
