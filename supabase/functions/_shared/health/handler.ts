// GET /functions/v1/health: is the function runtime up and can it reach the database?
import type { Sql } from "../database.ts";
import { errorResponse, type Handler, json } from "../http.ts";

export function createHealthHandler(deps: { sql: Sql }): Handler {
  return async () => {
    try {
      const [row] = await deps.sql`
        select (select max(version) from supabase_migrations.schema_migrations) as schema_version,
               now() as database_time`;
      return json(200, { status: "ok", schema_version: row.schema_version, database_time: row.database_time });
    } catch (error) {
      return errorResponse(503, "database_unavailable", `The database cannot be reached: ${(error as Error).message}`);
    }
  };
}
