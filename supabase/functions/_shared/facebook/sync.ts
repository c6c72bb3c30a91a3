// One sync run: open the run record, discover accounts, sync each visible account's insights
// (a few at a time) within the time budget, close the record with the summary.
import type { Sql } from "../database.ts";
import type { FacebookSyncConfig } from "./config.ts";
import { discoverAccounts } from "./discovery.ts";
import { BudgetExceededError, GraphClient } from "./graph-client.ts";
import { GraphError, redact } from "./graph-errors.ts";
import { type AccountResult, type AccountToSync, syncAccountInsights } from "./insights.ts";
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

export async function runFacebookSync(deps: SyncDeps): Promise<RunSummary | { already_running: true }> {
  const { sql, config } = deps;
  const now = deps.now ?? (() => Date.now());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const secrets = [config.accessToken, config.appSecret];
  const log = (line: string) => deps.log?.(redact(`facebook-sync: ${line}`, secrets));
  const started = now();
  const deadline = started + config.budgetMs;

  const runId = await startRun(sql, deps.trigger ?? "http", config.budgetMs + 60_000);
  if (runId === null) {
    log("another run is still running; not starting");
    return { already_running: true };
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
  const summary: RunSummary = {
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
  log(`run ${runId} started (budget ${config.budgetMs / 1000} s)`);

  try {
    try {
      const discovery = await discoverAccounts(client, sql, { deadline, pageSize: config.pageSize });
      summary.discovery = { ...discovery.stored, complete: discovery.complete };
      for (const warning of discovery.warnings) {
        summary.errors.push({ stage: "discovery", ...warning.toJSON() });
        log(`discovery: ${warning.message}`);
      }
      deps.onProgress?.({
        type: "discovered",
        accounts: discovery.accounts.length,
        businesses: discovery.businesses.length,
      });
    } catch (error) {
      // A token problem ends the run before anything is written; anything else (throttled,
      // out of budget) leaves discovery for the next run and syncs the accounts already known.
      if (error instanceof GraphError && error.kind === "auth") throw error;
      const message = error instanceof Error ? error.message : String(error);
      summary.errors.push({ stage: "discovery", ...(error instanceof GraphError ? error.toJSON() : { message }) });
      summary.discovery = undefined;
      log(`discovery failed, syncing known accounts: ${message}`);
      if (error instanceof BudgetExceededError) throw error;
    }

    const accounts = await sql<AccountToSync[]>`
      select a.id, a.name, a.currency, a.timezone_name, a.insights_synced_until::text as insights_synced_until,
             a.insights_resume_from::text as insights_resume_from, a.throttled_until
      from voronka.fb_accounts_to_sync() as a`;
    summary.accounts_total = accounts.length;
    const results: AccountResult[] = [];
    let stopReason: string | null = null;
    let authError: GraphError | null = null;
    const queue = [...accounts];
    const ctx = {
      client,
      sql,
      config,
      now,
      sleep,
      deadline,
      log,
      onRows: (accountId: string, rows: number) => deps.onProgress?.({ type: "rows", account_id: accountId, rows }),
    };

    const worker = async () => {
      for (let account = queue.shift(); account; account = queue.shift()) {
        let result: AccountResult;
        if (account.throttled_until && account.throttled_until.getTime() > now()) {
          result = skipped(account, "throttled", `throttled until ${account.throttled_until.toISOString()}`);
        } else if (stopReason || now() >= deadline) {
          result = skipped(account, stopReason ? "throttled" : "budget", stopReason ?? "time budget exhausted");
        } else {
          try {
            result = await syncAccountInsights(ctx, account);
          } catch (error) {
            if (error instanceof GraphError && error.kind === "auth") {
              authError ??= error;
              stopReason = "the access token was rejected";
              result = skipped(account, "failed", error.message);
            } else throw error;
          }
          if (result.stop_run) stopReason = `app-wide rate limit: ${result.error?.message}`;
        }
        results.push(result);
        deps.onProgress?.({ type: "account", result });
      }
    };
    await Promise.all(Array.from({ length: Math.min(config.concurrency, Math.max(1, accounts.length)) }, worker));
    if (authError) throw authError;

    results.sort((a, b) => a.account_id.localeCompare(b.account_id));
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
  } catch (error) {
    summary.status = error instanceof BudgetExceededError ? "partial" : "failed";
    const message = redact(error instanceof Error ? error.message : String(error), secrets);
    summary.message =
      error instanceof GraphError && error.kind === "auth"
        ? `The Facebook access token was rejected (${message}). Nothing was changed; renew FB_ACCESS_TOKEN (or check FB_APP_SECRET).`
        : message;
    if (!(error instanceof BudgetExceededError)) {
      summary.errors.push({ stage: "run", ...(error instanceof GraphError ? error.toJSON() : { message }) });
    }
  }
  summary.requests = client.requests;
  summary.duration_ms = Math.round(now() - started);
  summary.errors = JSON.parse(redact(JSON.stringify(summary.errors), secrets));
  await finishRun(sql, runId, summary);
  log(
    `run ${runId} ${summary.status}: ${summary.message} (${summary.requests} requests, ${summary.rows_read} rows read, ${summary.rows_upserted} changed, ${summary.duration_ms} ms)`,
  );
  return summary;
}

function skipped(account: AccountToSync, outcome: AccountResult["outcome"], message: string): AccountResult {
  return {
    account_id: account.id,
    name: account.name,
    outcome,
    rows_read: 0,
    rows_upserted: 0,
    requests: 0,
    error: outcome === "budget" ? undefined : { kind: outcome === "throttled" ? "throttle" : "auth", message },
  };
}
