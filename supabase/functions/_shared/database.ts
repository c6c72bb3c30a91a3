// The database handle every handler receives: postgres.js over SUPABASE_DB_URL.
// `prepare: false` because hosted Supabase may hand functions the transaction pooler (port
// 6543), which does not support prepared statements; it costs nothing on a direct connection.
import postgres from "postgres";

export type Sql = postgres.Sql;

export function connectDatabase(url: string, options: { max?: number } = {}): Sql {
  return postgres(url, {
    prepare: false,
    max: options.max ?? 5,
    idle_timeout: 20,
    connect_timeout: 5,
    onnotice: () => {},
  });
}
