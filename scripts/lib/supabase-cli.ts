// The real Supabase CLI (npm package @supabase/cli-linux-x64, the binary the `supabase` npm
// package wraps) run against a plain Postgres URL: no Docker needed for these commands.
import { execFile, spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "./paths.ts";

const run = promisify(execFile);
const require = createRequire(import.meta.url);

export function supabaseBinary(): string {
  const pkg = require.resolve("@supabase/cli-linux-x64/package.json");
  return path.join(path.dirname(pkg), "bin", "supabase");
}

async function supabase(args: string[]): Promise<string> {
  try {
    const { stdout } = await run(supabaseBinary(), args, {
      cwd: PROJECT_ROOT,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
    });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`supabase ${args[0]} ${args[1] ?? ""} failed:\n${e.stderr || e.stdout || e.message}`);
  }
}

/**
 * `supabase migration up`: applies pending migrations and records them in supabase_migrations.
 * `includeAll` also applies migrations older than the newest applied one (a local database that
 * saw a later migration before a branch with an earlier timestamp landed).
 */
export function migrationUp(dbUrl: string, options: { includeAll?: boolean } = {}): Promise<string> {
  return supabase(["migration", "up", `--remote=${dbUrl}`, "--yes", ...(options.includeAll ? ["--include-all"] : [])]);
}

/**
 * Migration files `supabase db push` would apply to the database (its own `--dry-run`): the
 * same comparison with `supabase_migrations.schema_migrations` a real push makes.
 */
export async function pendingMigrations(dbUrl: string): Promise<string[]> {
  const out = await supabase(["db", "push", "--dry-run", `--remote=${dbUrl}`, "--output-format", "json"]);
  return (JSON.parse(out) as { migrations?: string[] }).migrations ?? [];
}

/**
 * Runs the CLI with the terminal attached (its prompts and progress shown), for commands that
 * change a hosted project. Rejects with the exit code when it fails.
 */
export function supabaseAttached(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(supabaseBinary(), args, {
      cwd: PROJECT_ROOT,
      stdio: "inherit",
      env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`supabase ${args.slice(0, 2).join(" ")} exited with ${code}`)),
    );
  });
}

/** `supabase db advisors`: the security and performance linter (splinter). */
export function dbAdvisors(dbUrl: string, failOn: "warn" | "error" | "none" = "warn"): Promise<string> {
  return supabase(["db", "advisors", `--remote=${dbUrl}`, "--level", "warn", "--fail-on", failOn]);
}

/**
 * `supabase db diff --use-pg-delta`: the DDL that takes database `from` to database `to`, or ""
 * when their schemas agree. Both are plain Postgres URLs (no shadow database, no Docker).
 */
export async function diffDatabases(fromUrl: string, toUrl: string): Promise<string> {
  const out = await supabase([
    "db",
    "diff",
    "--from",
    withoutTls(fromUrl),
    "--to",
    withoutTls(toUrl),
    "--use-pg-delta",
  ]);
  return out.trim();
}

/** The local Postgres has no TLS: without sslmode=disable the CLI tries TLS first and prints a notice. */
function withoutTls(dbUrl: string): string {
  const url = new URL(dbUrl);
  if (!url.searchParams.has("sslmode")) url.searchParams.set("sslmode", "disable");
  return url.toString();
}

/** `supabase gen types typescript` for the public schema (what dashboards call). */
export function generateTypes(dbUrl: string): Promise<string> {
  // Without sslmode=disable a "Connected … without TLS" notice lands in the generated file.
  return supabase(["gen", "types", "typescript", "--db-url", withoutTls(dbUrl), "--schema", "public"]);
}
