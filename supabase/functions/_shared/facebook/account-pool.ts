// The insights step of a sync run: every account to sync, `concurrency` at a time, until the time
// budget runs out, an app-wide limit stops the run, or the token is rejected.
import { GraphError } from "./graph-errors.ts";
import { type AccountResult, type AccountToSync, type InsightsContext, syncAccountInsights } from "./insights.ts";

/**
 * Syncs `accounts` with a pool of workers. Returns every account's result (skipped ones included,
 * sorted by account id); throws the first auth error after the pool drains (the run fails).
 */
export async function syncAccountsInPool(
  ctx: InsightsContext,
  accounts: AccountToSync[],
  concurrency: number,
  onResult: (result: AccountResult) => void,
): Promise<AccountResult[]> {
  const results: AccountResult[] = [];
  let stopReason: string | null = null;
  let authError: GraphError | null = null;
  const queue = [...accounts];

  const next = async (account: AccountToSync): Promise<AccountResult> => {
    if (account.throttled_until && account.throttled_until.getTime() > ctx.now()) {
      return skipped(account, "throttled", `throttled until ${account.throttled_until.toISOString()}`);
    }
    if (stopReason || ctx.now() >= ctx.deadline) {
      return skipped(account, stopReason ? "throttled" : "budget", stopReason ?? "time budget exhausted");
    }
    let result: AccountResult;
    try {
      result = await syncAccountInsights(ctx, account);
    } catch (error) {
      if (!(error instanceof GraphError && error.kind === "auth")) throw error;
      authError ??= error;
      stopReason = "the access token was rejected";
      return skipped(account, "failed", error.message);
    }
    if (result.stop_run) stopReason = `app-wide rate limit: ${result.error?.message}`;
    return result;
  };

  const worker = async () => {
    for (let account = queue.shift(); account; account = queue.shift()) {
      const result = await next(account);
      results.push(result);
      onResult(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, accounts.length)) }, worker));
  if (authError) throw authError;
  return results.sort((a, b) => a.account_id.localeCompare(b.account_id));
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
