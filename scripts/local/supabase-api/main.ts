// npm run api:local -- [--db-url <url>] [--port N]
//
// The local Data API and Auth stand-ins (and the built dashboard at /) alone, without the functions:
// POST/GET /rest/v1/rpc/<function>, POST /auth/v1/token, GET /auth/v1/user, POST /auth/v1/logout.
// Database: --db-url, else SUPABASE_DB_URL, else the local stack (127.0.0.1:VORONKA_PG_PORT, 54322).
// Port: --port, else 54331. `npm start` serves the same on its gateway (54321) already.
import { parseCommandLine, usageFromHeader, wholeNumberFlag } from "../../lib/command-line.ts";
import { DASHBOARD_DIST } from "../../lib/dashboard-build.ts";
import { terminalDatabaseUrl } from "../../lib/terminal-env.ts";
import { demoLogins } from "../demo-users.ts";
import { LOCAL_JWT_SECRET } from "./jwt.ts";
import { serveSupabaseApi } from "./server.ts";

const line = parseCommandLine("api:local", usageFromHeader("api:local", import.meta.url), {
  "db-url": { type: "string" },
  port: { type: "string" },
});
const port = wholeNumberFlag(line, "port", line.values.port, 1) ?? 54331;
const server = await serveSupabaseApi({
  databaseUrl: line.values["db-url"] ?? terminalDatabaseUrl(),
  jwtSecret: LOCAL_JWT_SECRET,
  dashboardDir: DASHBOARD_DIST,
  port,
});
console.log(
  `Data API and Auth (local stand-ins) on ${server.url}; dashboard at ${server.url}/ (npm run build:dashboard)`,
);
console.log(`Anon key: ${server.anonKey}`);
console.log(`Demo logins:\n${demoLogins()}`);
const stop = () => void server.stop().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
