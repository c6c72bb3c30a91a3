// Every ingestion request gets an answer before amoCRM's 2 s timeout, database or not.
//
// Three bounds, inside each other:
//   1. connect_timeout (1 s) and a 50–250 ms reconnect backoff (_shared/database.ts): a database
//      that does not accept connections fails fast, instead of after postgres.js's default 30 s
//      connect timeout or its reconnect backoff of up to 20 s.
//   2. statement_timeout (default 1200 ms, a connection parameter; not on the transaction pooler):
//      a statement that cannot finish in time (locks, overload) is cancelled *by Postgres* and
//      rolled back.
//   3. the request deadline (default 1500 ms, `withDeadline` below): whatever the driver is doing
//      (queued behind a busy pool, reconnecting, waiting on a half-dead socket), the handler stops
//      waiting and answers 503 `database_unavailable` with Retry-After.
//
// Why a 2xx still means "committed": a handler answers 2xx only after the driver resolved the
// call, which postgres.js does on ReadyForQuery — after the implicit transaction (or the explicit
// COMMIT) finished. A 503 means "not known to be stored, send it again". A statement already
// running when the deadline fires is bounded by statement_timeout (below the deadline), so it has
// either committed by about the time of the 503 or is rolled back. What remains — a call still
// waiting for a connection that opens only after the 503 (the database coming back), or a slow
// COMMIT — can commit after the 503. That is harmless: both receivers are idempotent (identical
// amoCRM bodies are one event, a ProfTest submission id is one lead), so the sender's retry is
// answered as a duplicate and nothing acknowledged is lost. The converse — a 2xx for something
// not stored — cannot happen.

import { type Env, positiveInteger } from "./config.ts";

export const DEFAULT_DEADLINE_MS = 1500;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 1200;

/** The request deadline passed; the handler stopped waiting for the database call. */
export class DeadlineExceededError extends Error {
  readonly code = "DEADLINE_EXCEEDED";
  constructor(readonly ms: number) {
    super(`the database did not answer within ${ms} ms`);
    this.name = "DeadlineExceededError";
  }
}

/**
 * Waits for `work` at most `ms`; then rejects with DeadlineExceededError. The abandoned call is
 * left to finish on its own, bounded by statement_timeout. It is deliberately not cancelled with
 * postgres.js's `cancel()`: a query cancelled while it waits for a connection (being opened, or
 * re-queued after its connection dropped) becomes a connection's first query, which postgres.js
 * then never runs and never releases — the pool slot is stuck for good. Under a database outage
 * that wedged every slot of amocrm-webhook within seconds (every later request 503), which the
 * outage test caught.
 */
export function withDeadline<T>(work: PromiseLike<T>, ms: number = DEFAULT_DEADLINE_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(ms)), ms);
  });
  // The abandoned call may still fail later: never leave that as an unhandled rejection.
  const settled = Promise.resolve(work);
  settled.catch(() => {});
  // Stryker disable next-line ArrowFunction: not observable: a timer left running rejects into a race already settled
  return Promise.race([settled, expired]).finally(() => clearTimeout(timer));
}

export interface DatabaseTimeouts {
  /** Request deadline for the database call, ms. */
  deadlineMs: number;
  /** Postgres statement_timeout for the function's connections, ms (below deadlineMs). */
  statementTimeoutMs: number;
}

/**
 * DB_DEADLINE_MS and DB_STATEMENT_TIMEOUT_MS (defaults 1500 / 1200; malformed: ConfigError). The
 * statement timeout is kept below the deadline (at most deadline − 100 ms), so a statement that
 * runs cannot outlive the answer by more than its commit.
 */
export function readDatabaseTimeouts(env: Env): DatabaseTimeouts {
  const deadlineMs = positiveInteger(env, "DB_DEADLINE_MS", DEFAULT_DEADLINE_MS, 600_000);
  const statementTimeoutMs = Math.max(
    Math.min(positiveInteger(env, "DB_STATEMENT_TIMEOUT_MS", DEFAULT_STATEMENT_TIMEOUT_MS, 600_000), deadlineMs - 100),
    100,
  );
  return { deadlineMs, statementTimeoutMs };
}
