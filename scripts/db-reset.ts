// npm run db:reset: delete the local database and create it again (migrations + seed), like
// `supabase db reset`. Refuses while `npm start` is running on the same port.
import path from "node:path";
import { prepareDatabase } from "./lib/database-setup.ts";
import { isPortTaken, startLocalPostgres } from "./lib/local-postgres.ts";
import { PROJECT_ROOT } from "./lib/paths.ts";
import { parseCommandLine, usageFromHeader } from "./lib/command-line.ts";

parseCommandLine("db:reset", usageFromHeader("db:reset", import.meta.url), {});

const port = Number(process.env.VORONKA_PG_PORT ?? 54322);
const dataDir = process.env.VORONKA_DATA_DIR ?? path.join(PROJECT_ROOT, ".local/postgres");

if (await isPortTaken(port)) {
  console.error(`✗ Something runs on 127.0.0.1:${port} (is \`npm start\` running?). Stop it, then reset.`);
  process.exit(1);
}
// fresh: empties the folder the cluster really lives in (as root it may be relocated, see reachableDataDir).
const server = await startLocalPostgres({ dataDir, port, fresh: true });
try {
  await prepareDatabase(server.url, { seed: true });
  console.log(`✓ Recreated ${path.relative(PROJECT_ROOT, dataDir)}: migrations applied, demo data seeded.`);
} finally {
  await server.stop();
}
