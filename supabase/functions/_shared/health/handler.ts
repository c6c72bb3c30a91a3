// GET /functions/v1/health: is the function runtime up, can it reach the database, and what data
// is missing or suspect (public.data_health for today, as service_role)? Public (no JWT): it
// answers counts and severities only, never ids, names or error texts.
import type { Sql } from "../database.ts";
import { withDeadline } from "../deadline.ts";
import { failureResponse, type Handler, json } from "../http.ts";
import { asApiRole } from "../api-role.ts";

export interface DataHealthSummary {
  status: "ok" | "warning" | "error";
  window: { from: string; until: string; days: number; time_zone: string };
  checks: Record<string, { severity: "ok" | "warning" | "error"; count: number }>;
}

interface DataHealthCheck {
  code: string;
  severity: "ok" | "warning" | "error";
  count: number;
}

/** The last `days` business days (today included) of public.data_health, reduced to counts. */
export async function dataHealthSummary(sql: Sql, days = 1): Promise<DataHealthSummary> {
  // As PostgREST would call it for the service key: the database role decides what it sees.
  const health = await asApiRole(sql, "service_role", async (tx) => {
    const [row] = await tx`select public.data_health(null, ${days}::integer) as h`;
    return row.h as {
      status: DataHealthSummary["status"];
      window: DataHealthSummary["window"];
      checks: DataHealthCheck[];
    };
  });
  return {
    status: health.status,
    window: health.window,
    checks: Object.fromEntries(health.checks.map((c) => [c.code, { severity: c.severity, count: c.count }])),
  };
}

export function createHealthHandler(deps: { sql: Sql; deadlineMs?: number; log?: (line: string) => void }): Handler {
  const log = deps.log ?? ((line: string) => console.error(line));
  return async () => {
    let row: { schema_version: string; database_time: Date };
    try {
      [row] = (await withDeadline(
        deps.sql`
        select (select max(version) from supabase_migrations.schema_migrations) as schema_version,
               now() as database_time`,
        deps.deadlineMs,
      )) as unknown as [typeof row];
    } catch (error) {
      // Public endpoint: the reason goes to the log, not to the caller.
      return failureResponse(error, {
        log,
        context: "health",
        unavailableMessage: "The database cannot be reached.",
        logUnavailable: true,
      });
    }
    // The runtime and the database are up (status "ok", as before); data gaps are reported beside it.
    let dataHealth: DataHealthSummary | { status: "unknown"; error: string };
    try {
      dataHealth = await dataHealthSummary(deps.sql);
    } catch (error) {
      log(`health: data_health failed: ${(error as Error).message}`);
      dataHealth = { status: "unknown", error: "data_health failed; see the function's log" };
    }
    return json(200, {
      status: "ok",
      schema_version: row.schema_version,
      database_time: row.database_time,
      data_health: dataHealth,
    });
  };
}
