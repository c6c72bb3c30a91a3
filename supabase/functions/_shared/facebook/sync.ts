// One sync run, in named steps: open the run record, discover accounts, sync each visible
// account's insights (a pool of workers, account-pool.ts) within the time budget, summarise, and
// close the record with the summary.
import { ConfigError } from "../config.ts";
import type { Sql } from "../database.ts";
import { syncAccountsInPool } from "./account-pool.ts";
import type { FacebookSyncConfig } from "./config.ts";
import { discoverAccounts } from "./discovery.ts";
import { BudgetExceededError, GraphClient } from "./graph-client.ts";
import { GraphError, redact } from "./graph-errors.ts";
import type { AccountResult, AccountToSync, InsightsContext } from "./insights.ts";
import { finishRun, type RunSummary, startRun } from "./run-record.ts";

export type SyncProgress =
  | { type: "discovered"; accounts: number; businesses: number }
  | { type: "rows"; account_id: string; rows: number }
  | { type: "account"; result: AccountResult };

export interface SyncDeps {
  sql: Sql;
  config: FacebookSyncConfig;
  fetch?: typeof fetch;
  /** Epoch milliseconds; tests shift it to pin "today". */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
  trigger?: string;
  onProgress?: (event: SyncProgress) => void;
}

/** What the steps of one run share. */
interface Run extends InsightsContext {
  runId: number;
  started: number;
  secrets: (string | null | undefined)[];
  summary: RunSummary;
  onProgress: (event: SyncProgress) => void;
}

export async function runFacebookSync(deps: SyncDeps): Promise<RunSummary | { already_running: true }> {
  const run = await openRun(deps);
  if (run === null) return { already_running: true };
  try {
    await discover(run);
    const results = await syncInsights(run);
    summarise(run.summary, results);
  } catch (error) {
    recordFailure(run, error);
  }
  await closeRun(run);
  return run.summary;
}

/** Step 1: the run record (null when another run is still running), the Graph client, an empty summary. */
async function openRun(deps: SyncDeps): Promise<Run | null> {
  const { sql, config } = deps;
  if (!config.accessToken) throw new ConfigError("FB_ACCESS_TOKEN is not set");
  const now = deps.now ?? (() => Date.now());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const secrets = [config.accessToken, config.appSecret];
  const log = (line: string) => deps.log?.(redact(`facebook-sync: ${line}`, secrets));
  const started = now();

  const runId = await startRun(sql, deps.trigger ?? "http", config.budgetMs + 60_000);
  if (runId === null) {
    log("another run is still running; not starting");
    return null;
  }
  const client = new GraphClient({
    graphUrl: config.graphUrl,
    version: config.graphVersion,
    accessToken: config.accessToken,
    appSecret: config.appSecret,
    fetch: deps.fetch,
    sleep,
    now,
    requestTimeoutMs: config.requestTimeoutMs,
    maxRetries: config.maxRetries,
    retryBaseMs: config.retryBaseMs,
    log,
  });
  log(`run ${runId} started (budget ${config.budgetMs / 1000} s)`);
  const onProgress = (event: SyncProgress) => deps.onProgress?.(event);
  return {
    client,
    sql,
    config,
    now,
    sleep,
    deadline: started + config.budgetMs,
    log,
    onRows: (accountId, rows) => onProgress({ type: "rows", account_id: accountId, rows }),
    runId,
    started,
    secrets,
    onProgress,
    summary: emptySummary(runId, started),
  };
}

/**
 * Step 2: businesses and ad accounts. A token problem ends the run before anything is written;
 * anything else (throttled, out of budget) leaves discovery for the next run and syncs the
 * accounts already known — unless the budget is spent.
 */
async function discover(run: Run): Promise<void> {
  const { summary, log } = run;
  try {
    const discovery = await discoverAccounts(run.client, run.sql, {
      deadline: run.deadline,
      pageSize: run.config.pageSize,
    });
    summary.discovery = { ...discovery.stored, complete: discovery.complete };
    for (const warning of discovery.warnings) {
      summary.errors.push({ stage: "discovery", ...warning.toJSON() });
      log(`discovery: ${warning.message}`);
    }
    run.onProgress({
      type: "discovered",
      accounts: discovery.accounts.length,
      businesses: discovery.businesses.length,
    });
  } catch (error) {
    if (error instanceof GraphError && error.kind === "auth") throw error;
    const message = error instanceof Error ? error.message : String(error);
    summary.errors.push({ stage: "discovery", ...(error instanceof GraphError ? error.toJSON() : { message }) });
    summary.discovery = undefined;
    log(`discovery failed, syncing known accounts: ${message}`);
    if (error instanceof BudgetExceededError) throw error;
  }
}

/** Step 3: insights of every account the database says to sync, a few at a time. */
async function syncInsights(run: Run): Promise<AccountResult[]> {
  const accounts = await run.sql<AccountToSync[]>`
    select a.id, a.name, a.currency, a.timezone_name, a.insights_synced_until::text as insights_synced_until,
           a.insights_resume_from::text as insights_resume_from, a.throttled_until
    from voronka.fb_accounts_to_sync() as a`;
  run.summary.accounts_total = accounts.length;
  return syncAccountsInPool(run, accounts, run.config.concurrency, (result) =>
    run.onProgress({ type: "account", result }),
  );
}

/** Step 4: counts, status and message of a run that was not stopped by an error. */
function summarise(summary: RunSummary, results: AccountResult[]): void {
  for (const r of results) {
    summary.rows_read += r.rows_read;
    summary.rows_upserted += r.rows_upserted;
    if (r.outcome === "done") summary.accounts_done++;
    else if (r.outcome === "throttled") summary.accounts_throttled++;
    else if (r.outcome === "budget") summary.accounts_budget++;
    else summary.accounts_failed++;
    if (r.error) summary.errors.push({ stage: "insights", account_id: r.account_id, ...r.error });
  }
  summary.accounts = results;
  const incomplete = summary.accounts_done < summary.accounts_total || !summary.discovery?.complete;
  summary.status = incomplete ? "partial" : "succeeded";
  summary.message =
    `${summary.accounts_done}/${summary.accounts_total} accounts up to date` +
    (summary.accounts_throttled ? `, ${summary.accounts_throttled} throttled` : "") +
    (summary.accounts_budget ? `, ${summary.accounts_budget} left for the next run (time budget)` : "") +
    (summary.accounts_failed ? `, ${summary.accounts_failed} failed` : "") +
    (summary.discovery && !summary.discovery.complete ? ", discovery incomplete" : "") +
    (!summary.discovery ? ", discovery skipped" : "");
}

/** Step 4, instead: a run stopped by an error (out of budget: partial; anything else: failed). */
function recordFailure(run: Run, error: unknown): void {
  const { summary } = run;
  summary.status = error instanceof BudgetExceededError ? "partial" : "failed";
  const message = redact(error instanceof Error ? error.message : String(error), run.secrets);
  summary.message =
    error instanceof GraphError && error.kind === "auth"
      ? `The Facebook access token was rejected (${message}). Nothing was changed; renew FB_ACCESS_TOKEN (or check FB_APP_SECRET).`
      : message;
  if (!(error instanceof BudgetExceededError)) {
    summary.errors.push({ stage: "run", ...(error instanceof GraphError ? error.toJSON() : { message }) });
  }
}

/** Step 5: the summary, secrets redacted, onto the run record. */
async function closeRun(run: Run): Promise<void> {
  const { summary } = run;
  summary.requests = run.client.requests;
  summary.duration_ms = Math.round(run.now() - run.started);
  summary.errors = JSON.parse(redact(JSON.stringify(summary.errors), run.secrets));
  await finishRun(run.sql, run.runId, summary);
  run.log(
    `run ${run.runId} ${summary.status}: ${summary.message} (${summary.requests} requests, ${summary.rows_read} rows read, ${summary.rows_upserted} changed, ${summary.duration_ms} ms)`,
  );
}

function emptySummary(runId: number, started: number): RunSummary {
  return {
    run_id: runId,
    status: "succeeded",
    message: "",
    started_at: new Date(started).toISOString(),
    duration_ms: 0,
    accounts_total: 0,
    accounts_done: 0,
    accounts_throttled: 0,
    accounts_failed: 0,
    accounts_budget: 0,
    rows_read: 0,
    rows_upserted: 0,
    requests: 0,
    errors: [],
    accounts: [],
  };
}
