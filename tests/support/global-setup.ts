// Starts one real Postgres 17 for the whole test run, on its own port and in a fresh folder,
// and builds a template database with the bootstrap and every migration applied by the Supabase
// CLI. Each test file clones the template (tests/support/test-database.ts), so files run in
// parallel without seeing each other's rows.
import { rm } from "node:fs/promises";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { createDatabase, dropDatabase, prepareDatabase } from "../../scripts/lib/database-setup.ts";
import { startLocalPostgres } from "../../scripts/lib/local-postgres.ts";
import { PROJECT_ROOT } from "../../scripts/lib/paths.ts";
import { strykerWorkerPort, TEST_PORT_BASE } from "./ports.ts";

export const TEMPLATE_DATABASE = "voronka_template";

export default async function setup(project: TestProject) {
  // StrykerJS (npm run mutate) runs one suite per worker: each worker slot gets its own span of 50 ports.
  const port = strykerWorkerPort(
    TEST_PORT_BASE,
    Number(process.env.STRYKER_MUTATOR_WORKER ?? 0),
    Number(process.env.VORONKA_MUTATE_SLOTS ?? 1),
  );
  const dataDir = path.join(PROJECT_ROOT, `.local/test-postgres-${port}`);
  const server = await startLocalPostgres({
    dataDir,
    fresh: true,
    port,
    // Tests need speed, not durability of a throw-away cluster.
    settings: { fsync: "off", synchronous_commit: "off", full_page_writes: "off", max_connections: "300" },
  });
  await createDatabase(server.url, TEMPLATE_DATABASE);
  await prepareDatabase(server.urlFor(TEMPLATE_DATABASE));
  project.provide("postgresPort", port);
  project.provide("templateDatabase", TEMPLATE_DATABASE);
  return async () => {
    await dropDatabase(server.url, TEMPLATE_DATABASE).catch(() => {});
    await server.stop();
    await rm(server.dataDir, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    postgresPort: number;
    templateDatabase: string;
  }
}
