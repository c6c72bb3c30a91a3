// What a hosted Supabase project needs besides the migrations and the functions, in one place for
// `npm run deploy` (which sets it up) and `npm run doctor` (which checks it): the pg_cron jobs the
// migrations schedule, the Vault secrets those jobs read, and which function secrets may be pushed
// (never the local stack's defaults or fakes).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";
import type postgres from "postgres";
import { LOCAL_FUNCTION_DEFAULTS } from "../local/local-secrets.ts";
import { MIGRATIONS_DIR } from "./paths.ts";

export { MIGRATIONS_DIR };

/** The pg_cron jobs the migrations schedule on hosted Supabase (the local stack runs timers instead). */
export const SCHEDULED_JOBS = [
  {
    name: "voronka-refresh-funnel-analytics",
    schedule: "*/5 * * * *",
    what: "recomputes the analytics caches' days written since the last refresh",
    needs: ["pg_cron"],
    vault: [],
  },
  {
    name: "voronka-rebuild-analytics",
    schedule: "47 21 * * *",
    what: "recomputes every day of the analytics caches (21:47 UTC = 02:47 Almaty)",
    needs: ["pg_cron"],
    vault: [],
  },
  {
    name: "voronka-facebook-sync",
    schedule: "*/15 * * * *",
    what: "calls the facebook-sync function",
    needs: ["pg_cron", "pg_net"],
    vault: ["facebook_sync_url", "facebook_sync_secret"],
  },
  {
    name: "voronka-amocrm-reconcile",
    schedule: "*/10 * * * *",
    what: "calls the amocrm-reconcile function",
    needs: ["pg_cron", "pg_net", "vault"],
    vault: ["amocrm_reconcile_url", "amocrm_reconcile_secret"],
  },
  {
    name: "voronka-apply-retention",
    schedule: "17 3 * * *",
    what: "runs voronka.apply_retention() (03:17 UTC = 08:17 Almaty)",
    needs: ["pg_cron"],
    vault: [],
  },
] as const;

export type VaultSecretName = (typeof SCHEDULED_JOBS)[number]["vault"][number];

/** The Vault secrets the jobs read, with the value each gets for a project and its function secrets. */
export function vaultSecrets(
  projectRef: string,
  secrets: Record<string, string>,
): { name: VaultSecretName; value: string; shown: string }[] {
  const functions = `https://${projectRef}.supabase.co/functions/v1`;
  return [
    { name: "facebook_sync_url", value: `${functions}/facebook-sync`, shown: `${functions}/facebook-sync` },
    { name: "facebook_sync_secret", value: secrets.FB_SYNC_SECRET ?? "", shown: "FB_SYNC_SECRET" },
    { name: "amocrm_reconcile_url", value: `${functions}/amocrm-reconcile`, shown: `${functions}/amocrm-reconcile` },
    { name: "amocrm_reconcile_secret", value: secrets.AMOCRM_RECONCILE_SECRET ?? "", shown: "AMOCRM_RECONCILE_SECRET" },
  ];
}

/** Migration files (names), sorted; and the ones whose text schedules `job`. */
export function migrationFiles(): string[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith(".sql"))
    .sort();
}

export function migrationsScheduling(job: string, files = migrationFiles()): string[] {
  return files.filter((f) => readFileSync(path.join(MIGRATIONS_DIR, f), "utf8").includes(`'${job}'`));
}

/** A database on this machine (the local stack, a test database): never a deploy target. */
export function isLocalDatabaseUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
    return host === "localhost" || host === "::1" || host === "0.0.0.0" || /^127\./.test(host) || host === "";
  } catch {
    return false;
  }
}

/** The URL with its password replaced by ***. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
}

// ---- Function secrets for a hosted project ----

/** Function settings a hosted project may carry (README → Configuration: where = hosted or both). */
export const HOSTED_SETTINGS = [
  "LEAD_CAPTURE_SECRET",
  "LEAD_CAPTURE_BODY_TIMEOUT_MS",
  "AMOCRM_WEBHOOK_SECRET",
  "AMOCRM_SUBDOMAIN",
  "AMOCRM_ACCOUNT_ID",
  "AMOCRM_WEBHOOK_MAX_BYTES",
  "AMOCRM_WEBHOOK_BODY_TIMEOUT_MS",
  "AMOCRM_ACCESS_TOKEN",
  "AMOCRM_RECONCILE_SECRET",
  "FB_ACCESS_TOKEN",
  "FB_SYNC_SECRET",
  "FB_APP_SECRET",
  "FB_GRAPH_VERSION",
  "FB_SYNC_BUDGET_SECONDS",
  "FB_SYNC_BACKFILL_DAYS",
  "FB_SYNC_LOOKBACK_DAYS",
  "FB_SYNC_CHUNK_DAYS",
  "FB_SYNC_PAGE_SIZE",
  "FB_SYNC_CONCURRENCY",
  "FB_SYNC_MAX_RETRIES",
  "FB_SYNC_RETRY_BASE_MS",
  "DB_DEADLINE_MS",
  "DB_STATEMENT_TIMEOUT_MS",
] as const;

/** Without these the functions refuse requests (or, for the tokens, do nothing). */
export const REQUIRED_HOSTED_SETTINGS = [
  "LEAD_CAPTURE_SECRET",
  "AMOCRM_WEBHOOK_SECRET",
  "AMOCRM_SUBDOMAIN",
  "AMOCRM_ACCOUNT_ID",
  "AMOCRM_RECONCILE_SECRET",
  "FB_ACCESS_TOKEN",
  "FB_SYNC_SECRET",
] as const;

/** Values of the local stack and its fakes: they must never reach a hosted project. */
const LOCAL_VALUES = new Set([...Object.values(LOCAL_FUNCTION_DEFAULTS), "fake-token", "fake-amocrm-token"]);

export interface HostedEnvCheck {
  /** Settings to push (non-empty, checked). */
  secrets: Record<string, string>;
  /** Why the file cannot be pushed, one line each (empty: it can). */
  problems: string[];
}

/**
 * Checks a hosted env file's text (dotenv rules, as `supabase secrets set --env-file` reads it):
 * only hosted settings, every required one set, no local default, fake value, placeholder or
 * local address, shared secrets long enough.
 */
export function checkHostedEnv(text: string): HostedEnvCheck {
  const parsed = parseEnv(text) as Record<string, string | undefined>;
  const secrets: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(parsed)) {
    const value = (raw ?? "").trim();
    if (name.startsWith("SUPABASE_")) {
      problems.push(`${name}: SUPABASE_* names are provided by Supabase and cannot be set`);
      continue;
    }
    if (!(HOSTED_SETTINGS as readonly string[]).includes(name)) {
      problems.push(
        `${name}: not a setting of the hosted functions (local-only or unknown; see README → Configuration, where = hosted/both)`,
      );
      continue;
    }
    if (value === "") continue;
    const fake = localLooking(value);
    if (fake) {
      problems.push(`${name}: ${fake}: set the production value`);
      continue;
    }
    if (name.endsWith("_SECRET") && name !== "FB_APP_SECRET" && value.length < 16) {
      problems.push(`${name}: ${value.length} characters is guessable; use at least 16 (openssl rand -hex 32)`);
      continue;
    }
    secrets[name] = value;
  }
  for (const name of REQUIRED_HOSTED_SETTINGS) {
    if (!(name in secrets) && !problems.some((p) => p.startsWith(`${name}:`))) {
      problems.push(`${name}: required, but empty or missing`);
    }
  }
  return { secrets, problems };
}

/** Why a value looks like the local stack's or a placeholder (null when it does not). */
function localLooking(value: string): string | null {
  if (LOCAL_VALUES.has(value)) return `"${value}" is a local default or fake value`;
  if (/^local-|fake|changeme|change-me|example|placeholder|^x{3,}$|^<.*>$|^\.\.\.$/i.test(value)) {
    return "looks like a placeholder or a local/fake value";
  }
  if (/^[a-z]+:\/\//i.test(value)) {
    try {
      const host = new URL(value).hostname.replace(/^\[|\]$/g, "");
      if (host === "localhost" || host === "::1" || host === "0.0.0.0" || /^127\./.test(host)) {
        return `${host} is this machine, not reachable from Supabase`;
      }
    } catch {
      return "not a valid URL";
    }
  }
  return null;
}

// ---- What the database has: pg_cron jobs and their runs, Vault ----

export interface CronJobState {
  name: string;
  schedule: string;
  active: boolean;
  last?: { status: string; message: string | null; started: Date | null; ended: Date | null };
}

export interface SchedulingCatalog {
  /** pg_cron's tables exist (the extension is installed). */
  cron: boolean;
  /** The server offers the extensions (it may not have them installed yet). */
  available: { pg_cron: boolean; pg_net: boolean; vault: boolean };
  jobs: Map<string, CronJobState>;
  /** vault.secrets exists. */
  vault: boolean;
  vaultNames: Set<string>;
}

/**
 * Reads pg_cron's jobs (with each one's latest run) and the names (never the values) of the
 * Vault secrets. Catalog presence decides, not pg_extension, so it reads whatever has the
 * tables pg_cron and supabase_vault create.
 */
export async function readSchedulingCatalog(sql: postgres.Sql): Promise<SchedulingCatalog> {
  const [presence] = await sql`
    select to_regclass('cron.job') is not null as cron,
           to_regclass('cron.job_run_details') is not null as runs,
           to_regclass('vault.secrets') is not null as vault,
           exists (select from pg_available_extensions where name = 'pg_cron') as pg_cron,
           exists (select from pg_available_extensions where name = 'pg_net') as pg_net,
           exists (select from pg_available_extensions where name = 'supabase_vault') as supabase_vault`;
  const jobs = new Map<string, CronJobState>();
  if (presence.cron) {
    const rows = await sql.unsafe(
      presence.runs
        ? `select j.jobname, j.schedule, j.active, r.status, r.return_message, r.start_time, r.end_time
             from cron.job as j
             left join lateral (
               select d.status, d.return_message, d.start_time, d.end_time from cron.job_run_details as d
               where d.jobid = j.jobid order by d.start_time desc nulls last limit 1) as r on true
            where j.jobname like 'voronka-%'`
        : `select j.jobname, j.schedule, j.active, null as status, null as return_message,
                  null as start_time, null as end_time
             from cron.job as j where j.jobname like 'voronka-%'`,
    );
    for (const row of rows) {
      jobs.set(row.jobname, {
        name: row.jobname,
        schedule: row.schedule,
        active: row.active,
        last: row.status
          ? { status: row.status, message: row.return_message, started: row.start_time, ended: row.end_time }
          : undefined,
      });
    }
  }
  const vaultNames = new Set<string>();
  if (presence.vault) {
    for (const row of await sql.unsafe(`select name from vault.secrets where name is not null`))
      vaultNames.add(row.name);
  }
  return {
    cron: presence.cron,
    available: { pg_cron: presence.pg_cron, pg_net: presence.pg_net, vault: presence.supabase_vault || presence.vault },
    jobs,
    vault: presence.vault,
    vaultNames,
  };
}
