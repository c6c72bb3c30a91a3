// A throw-away Postgres with every migration applied, for tools that need a schema but not the
// local stack's data (type generation, benchmarks).
import { rm } from "node:fs/promises";
import path from "node:path";
import { prepareDatabase } from "./database-setup.ts";
import { type LocalPostgres, startLocalPostgres } from "./local-postgres.ts";
import { PROJECT_ROOT } from "./paths.ts";

export async function withScratchDatabase<T>(
  port: number,
  fn: (server: LocalPostgres) => Promise<T>,
  settings: Record<string, string> = {},
): Promise<T> {
  return withScratchServer(
    port,
    async (server) => {
      await prepareDatabase(server.url);
      return fn(server);
    },
    settings,
  );
}

/** A throw-away, empty Postgres server (deleted afterwards). */
export async function withScratchServer<T>(
  port: number,
  fn: (server: LocalPostgres) => Promise<T>,
  settings: Record<string, string> = {},
): Promise<T> {
  const dataDir = path.join(PROJECT_ROOT, `.local/scratch-postgres-${port}`);
  const server = await startLocalPostgres({ dataDir, port, settings, fresh: true });
  try {
    return await fn(server);
  } finally {
    await server.stop();
    await rm(server.dataDir, { recursive: true, force: true });
  }
}
