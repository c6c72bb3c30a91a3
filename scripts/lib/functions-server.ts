// Serves supabase/functions/<name>/index.ts with the real Deno binary at
// http://127.0.0.1:54321/functions/v1/<name>, like Supabase's local stack but without Docker:
// one `deno serve` process per function (each with its own deno.json), and a small proxy that
// routes /functions/v1/<name> to it. A function process that exits (a crash the process guard
// could not catch, an out-of-memory kill) is started again with backoff, as the hosted runtime
// starts a new worker, so one bad moment does not turn into 502 forever.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { parseEnv } from "node:util";
import { isPortTaken } from "./local-postgres.ts";
import { type FetchHandler, nodeListener } from "../local/supabase-api/node-http.ts";
import { FUNCTIONS_DIR, PROJECT_ROOT } from "./paths.ts";

const require = createRequire(import.meta.url);

export function denoBinary(): string {
  return path.join(path.dirname(require.resolve("deno/package.json")), "deno");
}

/** Function names: every folder of supabase/functions with an index.ts, except _shared & co. */
export function functionNames(): string[] {
  return readdirSync(FUNCTIONS_DIR, { withFileTypes: true })
    .filter(
      (d) => d.isDirectory() && !d.name.startsWith("_") && existsSync(path.join(FUNCTIONS_DIR, d.name, "index.ts")),
    )
    .map((d) => d.name)
    .sort();
}

/**
 * The functions' .env file: VORONKA_FUNCTIONS_ENV_FILE when set (the test run points it at an
 * empty file, so a developer's own settings never reach the tests), else supabase/functions/.env.
 */
export function functionsEnvFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.VORONKA_FUNCTIONS_ENV_FILE || path.join(FUNCTIONS_DIR, ".env");
}

/**
 * The functions' .env file (git-ignored) with the dotenv rules `supabase functions serve` and
 * `supabase secrets set --env-file` follow: `# comments` (also after an unquoted value) dropped,
 * quotes removed, `\n` expanded inside double quotes (Node's util.parseEnv).
 */
export function readFunctionsEnvFile(file = functionsEnvFile()): Record<string, string> {
  if (!existsSync(file)) return {};
  const parsed = parseEnv(readFileSync(file, "utf8"));
  return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface FunctionsServer {
  url: string;
  /** Current process id of each function (undefined while it is being restarted). */
  pids(): Record<string, number | undefined>;
  /** How many times each function's process was restarted after it exited. */
  restarts(): Record<string, number>;
  stop(): Promise<void>;
}

export interface FunctionsServerOptions {
  port?: number;
  /** Environment of every function (SUPABASE_DB_URL, secrets...). */
  env: Record<string, string>;
  /** Only these functions (default: all). */
  only?: string[];
  log?: (line: string) => void;
  /** First port of the function processes (default: port + 100), one per function. */
  upstreamPort?: number;
  /** Every path outside /functions/v1 (the local Data API, Auth and dashboard: scripts/local/supabase-api). */
  otherRoutes?: FetchHandler;
  /** Restart backoff after a function process exits: first delay, doubling up to maxMs. */
  restartDelayMs?: { initialMs: number; maxMs: number };
}

/** A process that ran this long before exiting restarts after the initial delay again. */
const STABLE_AFTER_MS = 30_000;

/** `deno serve` of one entry file with its deno.json, on 127.0.0.1:port. */
export function serveDenoEntry(options: {
  entry: string;
  config: string;
  port: number;
  env: Record<string, string>;
  stdio?: "pipe" | "inherit";
}): ChildProcess {
  return spawn(
    denoBinary(),
    [
      "serve",
      "--quiet",
      "--port",
      String(options.port),
      "--host",
      "127.0.0.1",
      "--config",
      options.config,
      "--allow-net",
      "--allow-env",
      "--allow-read",
      options.entry,
    ],
    {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...options.env, NO_COLOR: "1" },
      stdio: ["ignore", options.stdio ?? "pipe", options.stdio ?? "pipe"],
    },
  );
}

/** Resolves once the served process listens on port; fails if it exits first. */
export async function waitForPort(port: number, child: ChildProcess, name: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`deno exited (${child.exitCode}) while starting ${name}`);
    if (await isPortTaken(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not start listening on ${port} within ${timeoutMs / 1000}s`);
}

export async function startFunctionsServer(options: FunctionsServerOptions): Promise<FunctionsServer> {
  const port = options.port ?? 54321;
  const log = options.log ?? ((line) => process.stderr.write(line));
  if (await isPortTaken(port)) {
    throw new Error(`Port ${port} on 127.0.0.1 is already in use (another \`npm start\`?). Stop it and try again.`);
  }
  const names = options.only ?? functionNames();
  const backoff = options.restartDelayMs ?? { initialMs: 250, maxMs: 10_000 };
  const base = options.upstreamPort ?? port + 100;
  const upstream = new Map<string, number>();
  let stopping = false;

  interface Supervised {
    name: string;
    port: number;
    child: ChildProcess;
    startedAt: number;
    delayMs: number;
    restarts: number;
    timer?: ReturnType<typeof setTimeout>;
  }
  const supervised: Supervised[] = [];

  const spawnFunction = (name: string, fnPort: number): ChildProcess => {
    const child = serveDenoEntry({
      entry: path.join(FUNCTIONS_DIR, name, "index.ts"),
      config: path.join(FUNCTIONS_DIR, name, "deno.json"),
      port: fnPort,
      env: options.env,
    });
    const prefix = (chunk: Buffer) =>
      chunk
        .toString()
        .split(/\n/)
        .filter(Boolean)
        .forEach((l) => log(`[fn:${name}] ${l}\n`));
    child.stdout?.on("data", prefix);
    child.stderr?.on("data", prefix);
    return child;
  };

  // Restart with backoff when a process exits while the server is up.
  const watch = (entry: Supervised) => {
    entry.child.once("exit", (code, signal) => {
      if (stopping) return;
      const ranMs = Date.now() - entry.startedAt;
      if (ranMs >= STABLE_AFTER_MS) entry.delayMs = backoff.initialMs;
      const delay = entry.delayMs;
      entry.delayMs = Math.min(entry.delayMs * 2, backoff.maxMs);
      log(
        `[functions] ${entry.name} exited (${signal ?? `code ${code}`}) after ${(ranMs / 1000).toFixed(1)} s; ` +
          `restarting in ${delay} ms\n`,
      );
      entry.timer = setTimeout(() => {
        if (stopping) return;
        entry.restarts++;
        entry.child = spawnFunction(entry.name, entry.port);
        entry.startedAt = Date.now();
        watch(entry);
        waitForPort(entry.port, entry.child, entry.name).then(
          () => log(`[functions] ${entry.name} restarted (pid ${entry.child.pid})\n`),
          (error) => log(`[functions] ${entry.name} did not come back: ${(error as Error).message}\n`),
        );
      }, delay);
    });
  };

  try {
    for (const [i, name] of names.entries()) {
      const fnPort = base + i;
      if (await isPortTaken(fnPort)) throw new Error(`Port ${fnPort} (function ${name}) is already in use.`);
      supervised.push({
        name,
        port: fnPort,
        child: spawnFunction(name, fnPort),
        startedAt: Date.now(),
        delayMs: backoff.initialMs,
        restarts: 0,
      });
      upstream.set(name, fnPort);
    }
    await Promise.all(supervised.map((entry) => waitForPort(entry.port, entry.child, entry.name)));
  } catch (error) {
    supervised.forEach((entry) => entry.child.kill("SIGTERM"));
    throw error;
  }
  supervised.forEach(watch);
  // If this Node process exits without stop() (a test worker torn down after a hung hook, an
  // uncaught error), the function processes go with it instead of holding their ports.
  const killOnExit = () => supervised.forEach((entry) => entry.child.kill("SIGKILL"));
  process.once("exit", killOnExit);

  // The proxy's own connections to the function processes, so stop() can close them: Deno's
  // graceful shutdown waits for open HTTP connections, and Node keeps idle ones alive (keep-alive).
  const agent = new http.Agent({ keepAlive: true });
  const otherRoutes = options.otherRoutes && nodeListener(options.otherRoutes);
  const proxy = http.createServer((req, res) => {
    if (otherRoutes && !(req.url ?? "").startsWith("/functions/v1/")) return otherRoutes(req, res);
    const match = (req.url ?? "").match(/^\/functions\/v1\/([^/?]+)/);
    const target = match ? upstream.get(match[1]) : undefined;
    if (!target) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "function_not_found", message: `No function at ${req.url}` } }));
      return;
    }
    const forward = http.request(
      { host: "127.0.0.1", port: target, path: req.url, method: req.method, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", (error) => {
      res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "function_unreachable", message: error.message } }));
    });
    req.pipe(forward);
  });
  proxy.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => proxy.listen(port, "127.0.0.1", resolve));

  return {
    url: `http://127.0.0.1:${port}/functions/v1`,
    pids: () =>
      Object.fromEntries(
        supervised.map((e) => [
          e.name,
          e.child.exitCode === null && e.child.signalCode === null ? e.child.pid : undefined,
        ]),
      ),
    restarts: () => Object.fromEntries(supervised.map((e) => [e.name, e.restarts])),
    async stop() {
      stopping = true;
      process.off("exit", killOnExit);
      supervised.forEach((entry) => clearTimeout(entry.timer));
      // close() alone waits for every connection to go idle: a client that keeps sending on a
      // keep-alive connection would hold stop() forever. Cut them all at once.
      const closed = new Promise<void>((resolve) => proxy.close(() => resolve()));
      proxy.closeAllConnections();
      agent.destroy();
      await closed;
      await Promise.all(
        supervised.map(
          ({ child }) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              // Functions end their database pools on SIGTERM (_shared/shutdown.ts) and exit within
              // milliseconds; a process that still hangs is killed after 3 s.
              const force = setTimeout(() => child.kill("SIGKILL"), 3000);
              child.once("exit", () => {
                clearTimeout(force);
                resolve();
              });
              child.kill("SIGTERM");
            }),
        ),
      );
    },
  };
}
