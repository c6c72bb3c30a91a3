// Ad-level daily insights of one ad account: from its checkpoint minus the lookback (first run:
// the backfill) to today in the account's zone, in chunks of days, every page to the end, each
// page upserted with one SQL call. Shrinks the request when Graph asks for less data, stops the
// account on throttling or when the budget runs out, and records where to resume.
import { jsonbText, type Sql } from "../database.ts";
import type { FacebookSyncConfig } from "./config.ts";
import { addDays, daysBetween, maxDay, minDay, todayIn } from "./dates.ts";
import { BudgetExceededError, type GraphClient, type RawGraphPage } from "./graph-client.ts";
import { GraphError } from "./graph-errors.ts";
import { decideThrottle } from "./usage.ts";

export const INSIGHTS_FIELDS = [
  "account_id",
  "account_currency",
  "campaign_id",
  "campaign_name",
  "adset_id",
  "adset_name",
  "ad_id",
  "ad_name",
  "spend",
  "impressions",
  "clicks",
  "inline_link_clicks",
  "date_start",
  "date_stop",
].join(",");

/** Graph keeps 37 months of insights. */
const HISTORY_DAYS = 37 * 30;

export interface AccountToSync {
  id: string;
  name: string;
  currency: string;
  timezone_name: string;
  insights_synced_until: string | null;
  insights_resume_from: string | null;
  throttled_until: Date | null;
}

export type AccountOutcome = "done" | "throttled" | "budget" | "failed";

export interface AccountResult {
  account_id: string;
  name: string;
  outcome: AccountOutcome;
  since?: string;
  until?: string;
  /** Last day read completely in this run. */
  read_until?: string;
  rows_read: number;
  rows_upserted: number;
  requests: number;
  error?: ReturnType<GraphError["toJSON"]> | { kind: string; message: string };
  /** An app-wide limit: the other accounts should stop too. */
  stop_run?: boolean;
}

export interface InsightsContext {
  client: GraphClient;
  sql: Sql;
  config: FacebookSyncConfig;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  deadline: number;
  log: (line: string) => void;
  onRows?: (accountId: string, rows: number) => void;
}

/** The range a run reads for an account, in the account's calendar days. */
export function insightsRange(
  account: Pick<AccountToSync, "insights_synced_until" | "insights_resume_from">,
  today: string,
  config: Pick<FacebookSyncConfig, "backfillDays" | "lookbackDays">,
): { since: string; until: string } {
  let since: string;
  if (account.insights_resume_from) since = account.insights_resume_from;
  else if (account.insights_synced_until) since = addDays(account.insights_synced_until, -config.lookbackDays);
  else since = addDays(today, -(config.backfillDays - 1));
  since = maxDay(minDay(since, today), addDays(today, -HISTORY_DAYS));
  return { since, until: today };
}

class ThrottleStop extends Error {
  constructor(readonly regainMinutes: number) {
    super(`usage reached the limit${regainMinutes ? `; access returns in ${regainMinutes} min` : ""}`);
  }
}

export async function syncAccountInsights(ctx: InsightsContext, account: AccountToSync): Promise<AccountResult> {
  const result: AccountResult = {
    account_id: account.id,
    name: account.name,
    outcome: "done",
    rows_read: 0,
    rows_upserted: 0,
    requests: 0,
  };
  let today: string;
  try {
    today = todayIn(account.timezone_name, new Date(ctx.now()));
  } catch {
    result.outcome = "failed";
    result.error = { kind: "invalid", message: `unknown time zone "${account.timezone_name}"` };
    await recordProgress(ctx.sql, account.id, null, null, result.error.message, null);
    return result;
  }
  const { since, until } = insightsRange(account, today, ctx.config);
  result.since = since;
  result.until = until;

  /** A range's pages with the request of its first page already sent. */
  interface OpenRange {
    pages: AsyncGenerator<RawGraphPage>;
    first: Promise<IteratorResult<RawGraphPage>>;
  }

  const open = (from: string, to: string, limit: number): OpenRange => {
    const pages = ctx.client.rawPages(
      `act_${account.id}/insights`,
      {
        level: "ad",
        time_increment: "1",
        time_range: JSON.stringify({ since: from, until: to }),
        fields: INSIGHTS_FIELDS,
        limit: String(limit),
      },
      { deadline: ctx.deadline, accountId: account.id, onRequest: () => result.requests++ },
    );
    const first = pages.next();
    // Awaited by readRange; until then a failure must not be an unhandled rejection.
    first.catch(() => {});
    return { pages, first };
  };

  // A page reduced to what outlives it: the body as Graph sent it (stored as is: never parsed
  // into objects here, never serialised again), the count and the throttle decision.
  const take = (item: IteratorResult<RawGraphPage>) => {
    if (item.done) return null;
    const { text, rows, usage, hasNext } = item.value;
    return { body: text, count: rows, hasNext, decision: decideThrottle(usage, ctx.config) };
  };

  // One page's rows stored, one SQL call (the rows are the body's `data`, taken in SQL).
  const store = async (body: string, count: number): Promise<void> => {
    if (count === 0) return;
    const [row] = await ctx.sql`
      select voronka.upsert_fb_ad_insights(${account.id}, (${jsonbText(ctx.sql, body)}::jsonb) -> 'data') as written`;
    result.rows_upserted += row.written;
  };

  /**
   * Reads and stores a range, every page to the end. `opened`: its first request already sent.
   * `openNext`: opens the range that follows, called while this range's last page is stored, so
   * the next request is in flight during that store and the checkpoint after it.
   */
  const readRange = async (
    from: string,
    to: string,
    limit: number,
    opened?: OpenRange,
    openNext?: () => OpenRange,
  ): Promise<OpenRange | null> => {
    let following: OpenRange | null = null;
    try {
      const { pages, first } = opened ?? open(from, to, limit);
      // Pipelined: while a page is stored, the next one is already being read, so a page costs
      // max(Graph latency, upsert) instead of their sum. Only when this page's usage says to go
      // on at once — a throttle stop or delay is decided before the next request, as unpipelined.
      let next: Promise<IteratorResult<RawGraphPage>> | null = first;
      while (next) {
        const step = take(await next);
        next = null;
        if (!step) break;
        result.rows_read += step.count;
        const goOn = step.decision.action !== "stop" && step.decision.delayMs === 0;
        if (step.hasNext && goOn) {
          next = pages.next();
          // Awaited in the next round; until then a failure must not be an unhandled rejection.
          next.catch(() => {});
        } else if (!step.hasNext && goOn && openNext) {
          following = openNext();
        }
        try {
          await store(step.body, step.count);
        } catch (error) {
          // The prefetched read (if any) is abandoned with the page that failed.
          next = null;
          void pages.return(undefined).catch(() => {});
          throw error;
        }
        ctx.onRows?.(account.id, step.count);
        if (step.decision.action === "stop") throw new ThrottleStop(step.decision.regainMinutes);
        if (step.decision.delayMs > 0) await ctx.sleep(step.decision.delayMs);
        if (!next && step.hasNext) next = pages.next();
      }
    } catch (error) {
      if (following) void following.pages.return(undefined).catch(() => {});
      following = null;
      if (!(error instanceof GraphError) || error.kind !== "reduce_data") throw error;
      const days = daysBetween(from, to);
      if (days > 1) {
        const mid = addDays(from, Math.floor(days / 2) - 1);
        ctx.log(`account ${account.id}: Graph asked for less data; splitting ${from}..${to}`);
        await readRange(from, mid, limit);
        return readRange(addDays(mid, 1), to, limit, undefined, openNext);
      } else if (limit > 1) {
        ctx.log(`account ${account.id}: Graph asked for less data; page size ${Math.floor(limit / 2)}`);
        return readRange(from, to, Math.floor(limit / 2), undefined, openNext);
      } else {
        throw error;
      }
    }
    return following;
  };

  let chunkStart = since;
  const chunkEndOf = (start: string) => minDay(addDays(start, ctx.config.chunkDays - 1), until);
  let opened: OpenRange | null = null;
  try {
    while (chunkStart <= until) {
      const chunkEnd = chunkEndOf(chunkStart);
      const nextStart = addDays(chunkEnd, 1);
      const openNext = chunkEnd < until ? () => open(nextStart, chunkEndOf(nextStart), ctx.config.pageSize) : undefined;
      opened = await readRange(chunkStart, chunkEnd, ctx.config.pageSize, opened ?? undefined, openNext);
      result.read_until = chunkEnd;
      chunkStart = nextStart;
      if (chunkEnd < until) await recordProgress(ctx.sql, account.id, null, chunkStart, null, null);
    }
    await recordProgress(ctx.sql, account.id, until, null, null, null);
  } catch (error) {
    // A read of the next chunk started early is abandoned with the chunk that stopped.
    if (opened) void opened.pages.return(undefined).catch(() => {});
    if (error instanceof BudgetExceededError) {
      result.outcome = "budget";
      await recordProgress(ctx.sql, account.id, null, chunkStart, "stopped by the time budget; resumes next run", null);
    } else if (error instanceof ThrottleStop || (error instanceof GraphError && error.kind === "throttle")) {
      const regain = error instanceof ThrottleStop ? error.regainMinutes : (error.details.regainMinutes ?? 0);
      const throttledUntil = regain > 0 ? new Date(ctx.now() + regain * 60_000) : null;
      result.outcome = "throttled";
      result.error = error instanceof GraphError ? error.toJSON() : { kind: "throttle", message: error.message };
      result.stop_run = error instanceof GraphError && error.appWide;
      await recordProgress(ctx.sql, account.id, null, chunkStart, `throttled: ${error.message}`, throttledUntil);
      ctx.log(`account ${account.id}: throttled (${error.message}); resumes from ${chunkStart} next run`);
    } else if (error instanceof GraphError && error.kind === "auth") {
      throw error;
    } else {
      result.outcome = "failed";
      const message = error instanceof Error ? error.message : String(error);
      result.error = error instanceof GraphError ? error.toJSON() : { kind: "database", message };
      await recordProgress(ctx.sql, account.id, null, chunkStart, message, null).catch(() => {});
      ctx.log(`account ${account.id}: failed: ${message}`);
    }
  }
  return result;
}

function recordProgress(
  sql: Sql,
  accountId: string,
  doneUntil: string | null,
  resumeFrom: string | null,
  error: string | null,
  throttledUntil: Date | null,
) {
  return sql`
    select voronka.record_fb_account_progress(${accountId}, ${doneUntil}::date, ${resumeFrom}::date, ${error},
                                              ${throttledUntil ? throttledUntil.toISOString() : null}::timestamptz)`;
}
