// The local stack as one object: Postgres (embedded), migrations (Supabase CLI), seed on a fresh
// database, Edge Functions (Deno) — used by `npm start` and by the start-up test.
import path from "node:path";
import { prepareDatabase } from "./database-setup.ts";
import { type FunctionsServer, readFunctionsEnvFile, startFunctionsServer } from "./functions-server.ts";
import { withLocalDefaults } from "../local/local-secrets.ts";
import { createSupabaseApi, type SupabaseApi } from "../local/supabase-api/gateway.ts";
import { LOCAL_JWT_SECRET } from "../local/supabase-api/jwt.ts";
import { DASHBOARD_DIST, ensureDashboardBuilt } from "./dashboard-build.ts";
import { type LocalPostgres, startLocalPostgres } from "./local-postgres.ts";
import { PROJECT_ROOT } from "./paths.ts";

export interface LocalStackOptions {
  dataDir?: string;
  postgresPort?: number;
  functionsPort?: number;
  /** First port of the function processes (default functionsPort + 100). */
  functionProcessesPort?: number;
  log?: (line: string) => void;
}

export interface LocalStack {
  databaseUrl: string;
  functionsUrl: string;
  /** The gateway: Data API (/rest/v1), Auth (/auth/v1), functions and the dashboard at /. */
  apiUrl: string;
  anonKey: string;
  serviceRoleKey: string;
  /** Environment every function runs with. */
  functionsEnv: Record<string, string>;
  seeded: boolean;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? ((line) => console.log(line));
  const postgresPort = options.postgresPort ?? 54322;
  const functionsPort = options.functionsPort ?? 54321;
  const dataDir = options.dataDir ?? path.join(PROJECT_ROOT, ".local/postgres");
  let database: LocalPostgres | undefined;
  let functions: FunctionsServer | undefined;
  let api: SupabaseApi | undefined;
  const stop = async () => {
    await functions?.stop().catch(() => {});
    await api?.close().catch(() => {});
    await database?.stop().catch(() => {});
  };
  try {
    log(`• Postgres 17 (embedded) on 127.0.0.1:${postgresPort}, data in ${path.relative(PROJECT_ROOT, dataDir)}`);
    database = await startLocalPostgres({ dataDir, port: postgresPort });
    log(`• Supabase bootstrap + migrations (supabase migration up)${database.created ? " + seed.sql" : ""}`);
    try {
      // Locally, also apply migrations that landed with an older timestamp than the newest applied.
      await prepareDatabase(database.url, { seed: database.created, includeAll: true });
    } catch (error) {
      throw new Error(
        `${(error as Error).message}\nIf the local database is out of step with supabase/migrations, ` +
          "`npm run db:reset` recreates it (demo data included).",
      );
    }
    const { env: functionsEnv, defaulted } = withLocalDefaults({
      ...readFunctionsEnvFile(),
      ...pickDefined(process.env),
      SUPABASE_DB_URL: database.url,
      SUPABASE_URL: `http://127.0.0.1:${functionsPort}`,
    });
    if (defaulted.length)
      log(`• local-only defaults for ${defaulted.join(", ")} (set them in supabase/functions/.env)`);
    await ensureDashboardBuilt(log);
    const apiUrl = `http://127.0.0.1:${functionsPort}`;
    api = createSupabaseApi({
      databaseUrl: database.url,
      jwtSecret: LOCAL_JWT_SECRET,
      publicUrl: apiUrl,
      dashboardDir: DASHBOARD_DIST,
    });
    log(`• Edge Functions (Deno) on ${apiUrl}/functions/v1/<name>`);
    log(
      `• Data API and Auth (local stand-ins) on ${apiUrl}/rest/v1/rpc/<function>, ${apiUrl}/auth/v1; dashboard at ${apiUrl}/`,
    );
    functions = await startFunctionsServer({
      port: functionsPort,
      otherRoutes: api.handler,
      upstreamPort: options.functionProcessesPort,
      env: functionsEnv,
      log: (l) => process.stderr.write(l),
    });
    return {
      databaseUrl: database.url,
      functionsUrl: functions.url,
      apiUrl,
      anonKey: api.anonKey,
      serviceRoleKey: api.serviceRoleKey,
      functionsEnv,
      seeded: database.created,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function pickDefined(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
