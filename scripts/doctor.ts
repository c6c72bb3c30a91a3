// npm run doctor [-- --db-url URL] [--functions-url URL] [--hosted-env FILE] [--days N]
//
// Is this installation healthy? One line per finding, and under each one that needs something a
// one-line fix. Times are in the business time zone (voronka.setting, Asia/Almaty).
//   ✓ fine   · how it is (nothing to do)   ! worth a look   ✗ needs action (exit code 1)
// Checks, in order:
//   - every file of supabase/migrations applied, none unknown applied;
//   - the Edge Functions answer /health;
//   - pg_cron: the four jobs present and active, each one's last run and whether it succeeded
//     (where pg_cron exists; a database on this machine has none: `npm start`'s timers stand in);
//   - Vault: the secrets the jobs read (URL and bearer secret of facebook-sync and amocrm-reconcile);
//   - tokens: the Facebook token (Graph's debug_token: valid, expiry, ads_read) and the amoCRM token
//     (GET /api/v4/account; its expiry when it is a JWT) when this shell or --hosted-env has them,
//     and whether the last sync or reconciliation was refused for a bad token;
//   - ages of the last Facebook sync, analytics refresh and amoCRM reconciliation;
//   - every data_health check that is not ok (failed or pending inbox events, …).
// Database: --db-url, else SUPABASE_DB_URL, else the local stack (127.0.0.1:VORONKA_PG_PORT, 54322).
// Functions: --functions-url, else http://127.0.0.1:VORONKA_FUNCTIONS_PORT/functions/v1 (54321).
// Tokens: FB_ACCESS_TOKEN, FB_APP_SECRET, FB_GRAPH_URL, FB_GRAPH_VERSION, AMOCRM_ACCESS_TOKEN,
// AMOCRM_SUBDOMAIN, AMOCRM_BASE_URL from --hosted-env (e.g. supabase/.env.hosted), else the
// environment and supabase/functions/.env.
import { createHmac } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import postgres from "postgres";
import { asApiRole } from "../supabase/functions/_shared/api-role.ts";
import { FACEBOOK_DEFAULTS } from "../supabase/functions/_shared/facebook/config.ts";
import { businessTimeZone, inBusinessZone } from "./lib/business-time.ts";
import { parseCommandLine, usageFromHeader, wholeNumberFlag } from "./lib/command-line.ts";
import {
  isLocalDatabaseUrl,
  migrationFiles,
  readSchedulingCatalog,
  redactUrl,
  SCHEDULED_JOBS,
} from "./lib/hosted-project.ts";
import { terminalDatabaseUrl, terminalEnv } from "./lib/terminal-env.ts";

const line = parseCommandLine("doctor", usageFromHeader("doctor", import.meta.url), {
  "db-url": { type: "string" },
  "functions-url": { type: "string" },
  "hosted-env": { type: "string" },
  days: { type: "string" },
});
const env: Record<string, string | undefined> = terminalEnv();
const dbUrl = line.values["db-url"] ?? terminalDatabaseUrl(env);
const functionsUrl = (
  line.values["functions-url"] ?? `http://127.0.0.1:${env.VORONKA_FUNCTIONS_PORT ?? 54321}/functions/v1`
).replace(/\/+$/, "");
const days = wholeNumberFlag(line, "days", line.values.days, 1) ?? 30;
const envFile = line.values["hosted-env"];
if (envFile !== undefined) {
  if (!existsSync(envFile)) line.fail(`--hosted-env ${envFile} does not exist`);
  Object.assign(env, parseEnv(readFileSync(envFile, "utf8")));
}
const local = isLocalDatabaseUrl(dbUrl);

const DATA_FIXES: Record<string, string> = {
  amocrm_webhook_failed: "see inbox.amocrm_webhook_event.error, fix the cause, then npm run amocrm:replay -- --failed",
  amocrm_webhook_pending:
    "select id, received_at from inbox.amocrm_webhook_event where status = 'pending'; then npm run amocrm:replay -- --from-id N --to-id M",
  lead_capture_rejected: "select * from inbox.lead_capture_event where status = 'rejected' order by id desc limit 5;",
  amocrm_deal_needs_enrichment: "set AMOCRM_ACCESS_TOKEN, then npm run amocrm:reconcile",
  won_deal_without_product: "add a voronka.product_rule for the pipeline (README → Configuration)",
  spend_without_leads: "check the team's UTM rules (voronka.team_utm_rule) and the landing's utm_source",
  no_spend_data: "assign the team's ad accounts: public.assign_facebook_ad_account (settings page)",
  amocrm_values_set_aside: "see voronka.amocrm_deal.data_issues; correct the deal in amoCRM",
  implausible_time: "see the sample ids in public.data_health(); correct the source",
  facebook_account_errors: "see voronka.fb_ad_account.last_sync_error",
  facebook_sync_failed:
    "select message, errors from voronka.fb_sync_run where status = 'failed' order by started_at desc limit 3;",
  utm_coverage: "add voronka.team_utm_rule rows for the unattributed utm_source values",
};

let actionNeeded = false;
const report = (mark: string, text: string, fix?: string) => {
  console.log(`${mark} ${text}`);
  if (fix) console.log(`    fix: ${fix}`);
};
const ok = (text: string) => report("✓", text);
const note = (text: string) => report("·", text);
const warn = (text: string, fix?: string) => report("!", text, fix);
const act = (text: string, fix: string) => {
  actionNeeded = true;
  report("✗", text, fix);
};

let zone = "Asia/Almaty";
const at = (instant: Date | string) => inBusinessZone(instant, zone).replace(/:\d\d (\S+)$/, " $1");
const ago = (instant: Date | string) => {
  const minutes = Math.round((Date.now() - new Date(instant).getTime()) / 60_000);
  if (minutes < 0) return "in the future";
  if (minutes < 90) return `${minutes} min ago`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h ${minutes % 60} min ago`;
  return `${Math.floor(minutes / 1440)} days ago`;
};
const when = (instant: Date | string) => `${at(instant)} (${ago(instant)})`;

const sql = postgres(dbUrl, { max: 1, onnotice: () => {}, connect_timeout: 5, prepare: false });
try {
  zone = await businessTimeZone(sql).catch(() => zone);
  // data_health's messages format instants in the session's zone: make it the business zone.
  await sql`select set_config('TimeZone', ${zone}, false)`;
  await migrations();
  await functionsHealth();
  await scheduling();
  await facebookToken();
  await amocrmToken();
  await ages();
  await dataHealth();
} catch (error) {
  act(
    `database: ${(error as Error).message} (${redactUrl(dbUrl)})`,
    local
      ? "start the local stack: npm start"
      : "check --db-url (Dashboard → Connect) and that the project is not paused",
  );
} finally {
  await sql.end();
}
console.log(actionNeeded ? "Action needed (✗ above)." : "Healthy.");
process.exitCode = actionNeeded ? 1 : 0;

async function migrations(): Promise<void> {
  const files = migrationFiles().map((f) => f.split("_")[0]);
  const applied = new Set(
    (await sql`select version from supabase_migrations.schema_migrations`).map((r) => r.version as string),
  );
  const missing = files.filter((v) => !applied.has(v));
  const unknown = [...applied].filter((v) => !files.includes(v)).sort();
  if (missing.length) {
    act(
      `migrations: ${missing.length} not applied (${missing.join(", ")})`,
      local
        ? "restart npm start (it applies them), or npm run db:reset"
        : "npm run deploy -- --dry-run …, then without --dry-run (or npx supabase db push)",
    );
  } else ok(`migrations: all ${files.length} applied`);
  if (unknown.length) {
    warn(
      `migrations: applied but not in supabase/migrations: ${unknown.join(", ")}`,
      "check out the branch that has them, or npx supabase migration repair --status reverted <version>",
    );
  }
}

async function functionsHealth(): Promise<void> {
  try {
    const response = await fetch(`${functionsUrl}/health`, { signal: AbortSignal.timeout(5000) });
    const body = (await response.json().catch(() => ({}))) as { status?: string };
    if (response.status === 200) ok(`functions: ${functionsUrl}/health answers 200 (${body.status ?? "?"})`);
    else {
      act(
        `functions: ${functionsUrl}/health answers ${response.status} ${JSON.stringify(body).slice(0, 120)}`,
        local ? "see npm start's log" : "npx supabase functions logs health, or npm run deploy",
      );
    }
  } catch (error) {
    act(
      `functions: ${functionsUrl}/health unreachable (${(error as Error).message})`,
      local ? "is `npm start` running? (or pass --functions-url)" : "npm run deploy (deploys every function)",
    );
  }
}

async function scheduling(): Promise<void> {
  const catalog = await readSchedulingCatalog(sql);
  if (!catalog.cron) {
    if (local) {
      note(
        `pg_cron: not in this database (it runs on this machine): npm start's timers stand in for ${SCHEDULED_JOBS.map((j) => j.name).join(", ")}; their results show in the ages below`,
      );
    } else {
      act(
        `pg_cron: not installed: nothing refreshes the analytics or calls the sync and reconciliation`,
        "Dashboard → Integrations → Cron: enable pg_cron and pg_net, then run `select * from voronka.schedule_jobs();` in the SQL editor",
      );
    }
  } else {
    for (const job of SCHEDULED_JOBS) {
      const state = catalog.jobs.get(job.name);
      if (!state) {
        act(
          `pg_cron job ${job.name} (${job.schedule}, ${job.what}): missing`,
          `run \`select * from voronka.schedule_jobs();\` in the SQL editor${(job.needs as readonly string[]).includes("pg_net") ? " (pg_net must be enabled first)" : ""}`,
        );
        continue;
      }
      if (!state.active) {
        act(
          `pg_cron job ${job.name}: inactive`,
          `select cron.alter_job((select jobid from cron.job where jobname = '${job.name}'), active := true);`,
        );
        continue;
      }
      const last = state.last;
      if (!last) warn(`pg_cron job ${job.name} (${state.schedule}): present, no run recorded yet`);
      else if (last.status === "failed") {
        act(
          `pg_cron job ${job.name}: last run failed at ${when(last.started ?? last.ended ?? new Date())}: ${(last.message ?? "").trim().slice(0, 200)}`,
          `select * from cron.job_run_details where jobid = (select jobid from cron.job where jobname = '${job.name}') order by start_time desc limit 5;`,
        );
      } else {
        ok(
          `pg_cron job ${job.name} (${state.schedule}): last run ${last.status} at ${when(last.started ?? last.ended ?? new Date())}`,
        );
      }
    }
  }

  const needed = SCHEDULED_JOBS.flatMap((j) => j.vault);
  if (!catalog.vault) {
    if (local) note(`Vault: not in this database: the local timers take the URLs and secrets from the environment`);
    else {
      act(
        `Vault: not installed: the jobs cannot read ${needed.join(", ")}`,
        "Dashboard → Integrations → Vault: enable it, then npm run deploy (stores the secrets)",
      );
    }
    return;
  }
  const missing = needed.filter((name) => !catalog.vaultNames.has(name));
  if (missing.length) {
    act(
      `Vault: ${missing.join(", ")} missing: the jobs that read them skip every run`,
      `npm run deploy (stores them), or select vault.create_secret('<value>', '<name>'); per README → Deploying`,
    );
  } else ok(`Vault: ${needed.join(", ")} present`);
}

async function facebookToken(): Promise<void> {
  // What the function met: the latest run refused by Facebook for the token.
  const [refused] = await sql`
    select r.finished_at, e ->> 'message' as message
    from (select * from voronka.fb_sync_run where status <> 'running' order by started_at desc limit 1) as r
    cross join lateral jsonb_array_elements(r.errors) as e
    where e ->> 'kind' = 'auth' limit 1`;
  if (refused) {
    act(
      `Facebook: the last sync (${when(refused.finished_at)}) was refused for the token: ${String(refused.message).slice(0, 160)}`,
      "a new system-user token (Business Settings → System users → Generate token, ads_read): npx supabase secrets set FB_ACCESS_TOKEN=…",
    );
  }
  const token = env.FB_ACCESS_TOKEN?.trim();
  if (!token) {
    note(
      "Facebook token: FB_ACCESS_TOKEN is not in this shell or --hosted-env, so only the sync runs tell whether the function's token works",
    );
    return;
  }
  const graph = (env.FB_GRAPH_URL?.trim() || FACEBOOK_DEFAULTS.graphUrl).replace(/\/+$/, "");
  const version = env.FB_GRAPH_VERSION?.trim() || FACEBOOK_DEFAULTS.graphVersion;
  const url = new URL(`${graph}/${version}/debug_token`);
  url.searchParams.set("input_token", token);
  url.searchParams.set("access_token", token);
  const appSecret = env.FB_APP_SECRET?.trim();
  if (appSecret) url.searchParams.set("appsecret_proof", createHmac("sha256", appSecret).update(token).digest("hex"));
  const fix =
    "a new system-user token (Business Settings → System users → Generate token, ads_read): npx supabase secrets set FB_ACCESS_TOKEN=…";
  let body: { data?: Record<string, any>; error?: { message?: string; code?: number } };
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    body = (await response.json()) as typeof body;
  } catch (error) {
    warn(`Facebook token: ${graph} unreachable (${(error as Error).message}): not checked`);
    return;
  }
  const data = body.data;
  if (body.error || !data?.is_valid) {
    const reason = body.error?.message ?? data?.error?.message ?? "not valid";
    const expired = data?.expires_at ? ` (expired ${at(new Date(data.expires_at * 1000))})` : "";
    act(`Facebook token: ${reason}${expired}`, fix);
    return;
  }
  const scopes: string[] = data.scopes ?? [];
  if (!scopes.includes("ads_read")) {
    act(`Facebook token: valid but without ads_read (scopes: ${scopes.join(", ") || "none"})`, fix);
    return;
  }
  const expiresAt = Number(data.expires_at ?? 0);
  if (expiresAt === 0) ok(`Facebook token: valid, never expires (${data.type ?? "token"}, ads_read)`);
  else {
    const daysLeft = Math.floor((expiresAt * 1000 - Date.now()) / 86_400_000);
    const text = `Facebook token: valid until ${at(new Date(expiresAt * 1000))} (${daysLeft} days left)`;
    if (daysLeft < 14) warn(text, fix);
    else ok(text);
  }
}

async function amocrmToken(): Promise<void> {
  const token = env.AMOCRM_ACCESS_TOKEN?.trim();
  if (!token) {
    note(
      "amoCRM token: AMOCRM_ACCESS_TOKEN is not in this shell or --hosted-env, so only the reconciliation runs tell whether it works",
    );
    return;
  }
  const fix =
    "amoCRM → Settings → Integrations → your integration → new long-lived token: npx supabase secrets set AMOCRM_ACCESS_TOKEN=…";
  // Long-lived amoCRM tokens are JWTs: iat and exp tell their age and expiry (not a verification).
  const claims = jwtClaims(token);
  const base = (
    env.AMOCRM_BASE_URL?.trim() ||
    (env.AMOCRM_SUBDOMAIN?.trim() ? `https://${env.AMOCRM_SUBDOMAIN.trim()}.amocrm.ru` : "")
  ).replace(/\/+$/, "");
  if (base) {
    try {
      const response = await fetch(`${base}/api/v4/account`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(5000),
      });
      if (response.status === 401 || response.status === 403) {
        act(`amoCRM token: ${base} answers ${response.status} (expired or revoked)`, fix);
        return;
      }
      if (response.status !== 200) warn(`amoCRM token: ${base}/api/v4/account answers ${response.status}: not checked`);
    } catch (error) {
      warn(`amoCRM token: ${base} unreachable (${(error as Error).message}): not checked`);
    }
  } else warn("amoCRM token: neither AMOCRM_SUBDOMAIN nor AMOCRM_BASE_URL is set: not checked against amoCRM");
  const age = claims?.iat ? `, issued ${at(new Date(claims.iat * 1000))}` : "";
  if (claims?.exp) {
    const daysLeft = Math.floor((claims.exp * 1000 - Date.now()) / 86_400_000);
    const text = `amoCRM token: ${daysLeft < 0 ? "expired" : "valid until"} ${at(new Date(claims.exp * 1000))} (${daysLeft} days left${age})`;
    if (daysLeft < 0) act(text, fix);
    else if (daysLeft < 14) warn(text, fix);
    else ok(text);
  } else ok(`amoCRM token: accepted${base ? "" : " (not checked)"}; its expiry is not readable from the token`);
}

function jwtClaims(token: string): { iat?: number; exp?: number } | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    return JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  } catch {
    return null;
  }
}

async function ages(): Promise<void> {
  const [row] = await sql`
    select (select facebook_sync_stale_after from voronka.setting limit 1)::text as stale_after,
           extract(epoch from (select facebook_sync_stale_after from voronka.setting limit 1)) as stale_seconds,
           (select max(finished_at) from voronka.fb_sync_run where status in ('succeeded', 'partial')) as synced_at,
           (select status from voronka.fb_sync_run order by started_at desc limit 1) as last_sync_status,
           (select message from voronka.fb_sync_run order by started_at desc limit 1) as last_sync_message,
           exists (select from voronka.fb_ad_account) as has_accounts,
           (select max(refreshed_at) from analytics.funnel_refresh) as refreshed_at,
           s.last_finished_at as reconciled_at, s.last_status as reconcile_status, s.last_error as reconcile_error
    from (select 1) as one left join voronka.amocrm_sync_state as s on true`;
  const job = local ? "npm start's timer" : "the pg_cron job";

  const staleMs = Number(row.stale_seconds ?? 7200) * 1000;
  if (!row.synced_at) {
    if (row.has_accounts) {
      act(
        "Facebook sync: no successful run recorded",
        `check FB_ACCESS_TOKEN and ${job} (voronka-facebook-sync); run one now: npm run sync:facebook`,
      );
    } else note("Facebook sync: none yet, and no ad account known");
  } else if (Date.now() - row.synced_at.getTime() > staleMs) {
    act(
      `Facebook sync: last success ${when(row.synced_at)}, older than ${row.stale_after} (last run: ${row.last_sync_status}${row.last_sync_message ? `, ${String(row.last_sync_message).slice(0, 120)}` : ""})`,
      `check ${job} (voronka-facebook-sync) and select * from voronka.fb_sync_run order by started_at desc limit 5;`,
    );
  } else ok(`Facebook sync: last success ${when(row.synced_at)}`);

  if (!row.refreshed_at) {
    warn(
      "analytics refresh: never (reports compute every day live: correct, slower)",
      `select analytics.refresh_funnel_analytics(); and check ${job} (voronka-refresh-funnel-analytics)`,
    );
  } else if (Date.now() - row.refreshed_at.getTime() > 3_600_000) {
    act(
      `analytics refresh: last ${when(row.refreshed_at)}, more than an hour ago`,
      `check ${job} (voronka-refresh-funnel-analytics); by hand: select analytics.refresh_funnel_analytics();`,
    );
  } else ok(`analytics refresh: last ${when(row.refreshed_at)}`);

  if (row.reconcile_status === "error") {
    act(
      `amoCRM reconciliation: last run failed${row.reconciled_at ? ` (${when(row.reconciled_at)})` : ""}: ${String(row.reconcile_error ?? "").slice(0, 160)}`,
      /\b40[13]\b/.test(String(row.reconcile_error))
        ? "a new AMOCRM_ACCESS_TOKEN (see the amoCRM token line)"
        : `run it by hand to see: npm run amocrm:reconcile`,
    );
  } else if (!row.reconciled_at) {
    note("amoCRM reconciliation: no run recorded (it is off without AMOCRM_ACCESS_TOKEN)");
  } else if (Date.now() - row.reconciled_at.getTime() > 3_600_000) {
    warn(
      `amoCRM reconciliation: last ${when(row.reconciled_at)}, more than an hour ago (it runs every 10 min)`,
      `check ${job} (voronka-amocrm-reconcile); by hand: npm run amocrm:reconcile`,
    );
  } else ok(`amoCRM reconciliation: last ${when(row.reconciled_at)}`);
}

async function dataHealth(): Promise<void> {
  const [{ health }] = await asApiRole(
    sql,
    "service_role",
    async (tx) => tx`select public.data_health(null, ${days}) as health`,
  );
  const checks = (health as { checks: { code: string; severity: string; count: number; message: string }[] }).checks;
  // The sync and refresh ages are reported above, with their fixes.
  const shown = checks.filter((c) => c.code !== "stale_facebook_sync" && c.code !== "analytics_refresh_age");
  for (const check of shown) {
    const fix = DATA_FIXES[check.code] ?? "select public.data_health(); shows the details";
    if (check.severity === "error") act(`${check.code} (${check.count}): ${check.message}`, fix);
    else if (check.severity === "warning") warn(`${check.code} (${check.count}): ${check.message}`, fix);
  }
  if (shown.every((c) => c.severity === "ok")) ok(`data: all ${checks.length} data_health checks ok (${days} days)`);
}
