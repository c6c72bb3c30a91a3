// The database handle every handler receives: postgres.js over SUPABASE_DB_URL.
// `prepare: false` because hosted Supabase may hand functions the transaction pooler (port
// 6543), which does not support prepared statements; it costs nothing on a direct connection.
// Ingestion functions pass a statement timeout and a 1 s connect timeout so that every request
// is answered before amoCRM's 2 s timeout (see _shared/deadline.ts).
import postgres from "postgres";

export type Sql = postgres.Sql;

export interface DatabaseOptions {
  /** Pool size (default 5). */
  max?: number;
  /** Seconds to wait for a connection to be established (default 1). */
  connectTimeoutSeconds?: number;
  /**
   * Postgres `statement_timeout` of every connection, ms, sent as a startup parameter: a
   * statement that runs longer is cancelled and rolled back by the server. Unset: none. Not sent
   * to the transaction pooler (see isTransactionPooler).
   */
  statementTimeoutMs?: number;
}

/**
 * True for Supabase's transaction pooler (port 6543). Poolers may refuse or drop startup
 * parameters they do not know, so statement_timeout is not sent there: the request deadline
 * still answers in time, and a late commit is a duplicate the receivers absorb.
 */
export function isTransactionPooler(url: string): boolean {
  try {
    return new URL(url).port === "6543";
  } catch {
    return false;
  }
}

/**
 * The one way to pass a JSON value to SQL: a `jsonb` parameter (postgres.js serialises it with
 * JSON.stringify; Postgres parses it). Use it for every jsonb argument of a SQL function, never
 * a string cast with `::jsonb` in the query text — the one exception is JSON already serialised
 * on purpose (jsonbText below).
 */
export function jsonb(sql: Sql, value: unknown): postgres.Parameter {
  return sql.json(value as postgres.JSONValue);
}

/**
 * JSON that is already text (rows serialised once, right after a Graph page was parsed), sent as
 * it is instead of being parsed and serialised again: a text parameter the query casts, e.g.
 * `${jsonbText(sql, rows)}::jsonb`. (postgres.js serialises every json/jsonb-typed parameter with
 * JSON.stringify, which would turn the text into a JSON string.) Malformed JSON fails in Postgres.
 */
export function jsonbText(sql: Sql, json: string): postgres.Parameter {
  return sql.typed(json as never, 25) as postgres.Parameter;
}

export function connectDatabase(url: string, options: DatabaseOptions = {}): Sql {
  return postgres(url, {
    prepare: false,
    max: options.max ?? 5,
    idle_timeout: 20,
    connect_timeout: options.connectTimeoutSeconds ?? 1,
    // Seconds before a pool slot tries again after a failed connection. postgres.js's default
    // grows to 20 s, and queries wait in the slot's queue meanwhile: with the database down,
    // every request hung until our deadline. 50 ms doubling to 250 ms: a refused connection is
    // answered within about a quarter second, and a pool of a few slots cannot storm the server.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 0.25),
    onnotice: () => {},
    ...(options.statementTimeoutMs && !isTransactionPooler(url)
      ? { connection: { statement_timeout: Math.round(options.statementTimeoutMs) } as Record<string, number> }
      : {}),
  });
}
