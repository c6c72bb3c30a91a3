// GET /functions/v1/health: is the function runtime up and can it reach the database?
import type { Sql } from "../database.ts";
import { withDeadline } from "../deadline.ts";
import { databaseUnavailable, type Handler, json } from "../http.ts";

export function createHealthHandler(deps: { sql: Sql; deadlineMs?: number }): Handler {
  return async () => {
    try {
      const [row] = await withDeadline(
        deps.sql`
        select (select max(version) from supabase_migrations.schema_migrations) as schema_version,
               now() as database_time`,
        deps.deadlineMs,
      );
      return json(200, { status: "ok", schema_version: row.schema_version, database_time: row.database_time });
    } catch (error) {
      return databaseUnavailable(`The database cannot be reached: ${(error as Error).message}`);
    }
  };
}
