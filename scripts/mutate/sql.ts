// SQL mutation testing: every mutant of the target schema files (scripts/mutate/sql-operators.ts)
// is written into a scratch copy of the project, whose migrations are replaced by the schema files
// themselves (plus the migrations' hand-written data), and the test files that cover its file run
// there against a fresh Postgres (their own port). A failing run caught the mutant; a passing one
// let it survive. The project's own files are never touched.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../lib/paths.ts";
import { MUTATE_PORT_BASE, TEST_PORT_SPAN } from "../../tests/support/ports.ts";
import { applyMutant, mutantsOf, type SqlMutant } from "./sql-operators.ts";
import {
  ACCEPTED_SQL_SURVIVORS,
  DECLARED_SQL_MUTANTS,
  EQUIVALENT_SQL_MUTANTS,
  SQL_FOLDER,
  SQL_TARGETS,
} from "./targets.ts";

export type Outcome = "caught" | "survived" | "timeout" | "equivalent";

export interface MutantResult {
  mutant: SqlMutant;
  outcome: Outcome;
  seconds: number;
  /** The first failing test, or why it is equivalent. */
  detail: string;
}

/** Every SQL mutant of the targets, in file order (declared ones included). */
export function sqlMutants(folder = path.join(PROJECT_ROOT, SQL_FOLDER)): SqlMutant[] {
  const files = SQL_TARGETS.map((t) => t.file);
  const mutants: SqlMutant[] = [];
  for (const file of files) {
    const text = readFileSync(path.join(folder, file), "utf8");
    // supabase/schemas holds one definition of each object: every definition is live.
    mutants.push(...mutantsOf(file, text, () => true));
    for (const declared of DECLARED_SQL_MUTANTS.filter((d) => d.file === file)) {
      const start = text.indexOf(declared.find);
      if (start < 0) throw new Error(`declared mutant ${declared.id}: "${declared.find}" not found in ${file}`);
      mutants.push({
        id: `${file}:${declared.id}`,
        file,
        definition: declared.id,
        line: text.slice(0, start).split("\n").length,
        operator: "declared",
        original: declared.find,
        replacement: declared.replace,
        start,
        end: start + declared.find.length,
      });
    }
  }
  return mutants;
}

function readdirSorted(folder: string): string[] {
  return existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith(".sql")) : [];
}

/** A copy of the project to mutate (node_modules linked, not copied). */
function makeScratch(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const entry of ["supabase", "scripts", "tests", "package.json", "tsconfig.json", "vitest.config.ts"]) {
    cpSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"));
  writeSchemaMigration(dir);
}

/**
 * The hand-written tail of a migration (data, schedules: what pg-delta does not diff), from the line
 * that starts it: `-- Hand-written:` (what `npm run db:diff` asks for) or, in one early migration,
 * `-- Written by hand below this line`. "" when there is none.
 */
export function handWrittenPart(migration: string): string {
  const marker = migration.search(/^-- (Hand-written:|Written by hand below this line)/m);
  return marker < 0 ? "" : migration.slice(marker);
}

/**
 * The scratch copy's migrations become one file: every schema file as it is now (mutated or not),
 * then the hand-written part of each migration (data, schedules: what pg-delta does not diff).
 * tests/schema-drift.test.ts keeps the two ways of building the database equal.
 */
export function writeSchemaMigration(dir: string): void {
  const migrations = path.join(dir, "supabase/migrations");
  // The tails run on today's schema, not the one of their day: an old tail's refresh of a cache
  // that was a materialized view then (a table now, filled by the refresh) is left out — on the
  // empty scratch database it had nothing to refresh anyway.
  const handWritten = readdirSorted(migrations).map((file) =>
    handWrittenPart(readFileSync(path.join(migrations, file), "utf8")).replace(
      /^refresh materialized view [^;]+;$/gim,
      "-- (a materialized view's refresh, left out by npm run mutate)",
    ),
  );
  rmSync(migrations, { recursive: true, force: true });
  mkdirSync(migrations, { recursive: true });
  const schemas = path.join(dir, SQL_FOLDER);
  const definitions = readdirSorted(schemas)
    .sort()
    .map((file) => `-- ${file}\n${readFileSync(path.join(schemas, file), "utf8")}`);
  writeFileSync(
    path.join(migrations, "20000101000000_schemas.sql"),
    ["set local check_function_bodies = off;", ...definitions, ...handWritten].join("\n\n"),
  );
}

/**
 * Stops a Postgres a previous run of this scratch copy left behind: a suite stopped at its first
 * failure (--bail) may exit before its global teardown stops the server, which would then hold
 * the port. Only the server of this copy's own data folder (its postmaster.pid) is stopped.
 */
async function stopLeftoverPostgres(dir: string, port: number): Promise<void> {
  const pidFile = path.join(dir, `.local/test-postgres-${port}/postmaster.pid`);
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, "SIGINT"); // fast shutdown
  for (let i = 0; i < 300 && alive(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  if (alive()) process.kill(pid, "SIGKILL");
}

async function runTests(
  dir: string,
  tests: string[],
  port: number,
  timeoutSeconds: number,
): Promise<{ passed: boolean; timedOut: boolean; output: string }> {
  await stopLeftoverPostgres(dir, port);
  return new Promise((resolve) => {
    const child = spawn(
      path.join(PROJECT_ROOT, "node_modules/.bin/vitest"),
      ["run", "--bail=1", "--reporter=dot", ...tests],
      {
        cwd: dir,
        env: { ...process.env, VORONKA_TEST_PG_PORT: String(port), FORCE_COLOR: "0" },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      },
    );
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {}
    }, timeoutSeconds * 1000);
    let timedOut = false;
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ passed: code === 0 && !timedOut, timedOut, output });
    });
  });
}

function firstFailure(output: string): string {
  const line = output.split("\n").find((l) => /FAIL|AssertionError|Error:/.test(l));
  return (line ?? output.trim().split("\n").at(-1) ?? "").trim().slice(0, 160);
}

export async function runSqlMutation(options: {
  filter?: string;
  port?: number;
  workers?: number;
  timeoutSeconds?: number;
  log?: (line: string) => void;
}): Promise<MutantResult[]> {
  const log = options.log ?? console.log;
  const basePort = options.port ?? MUTATE_PORT_BASE;
  const timeout = options.timeoutSeconds ?? 240;
  const mutants = sqlMutants().filter((m) => !options.filter || new RegExp(options.filter).test(m.id));
  // Each worker: its own scratch copy and Postgres port, so mutants run side by side.
  // The copy is named by its port: two runs on different ports (VORONKA_MUTATE_PG_PORT) never share one.
  const workers = Array.from({ length: Math.max(1, options.workers ?? 2) }, (_, i) => {
    const port = basePort + i * TEST_PORT_SPAN; // each suite uses ports base … base+49 (tests/support/ports.ts)
    return { dir: path.join(PROJECT_ROOT, `.local/mutate/sql-${port}`), port };
  });
  for (const worker of workers) makeScratch(worker.dir);

  // The unmutated suite must pass, or every mutant would look caught.
  const targets = SQL_TARGETS.filter((t) => mutants.some((m) => m.file === t.file));
  const groups = [...new Map(targets.map((t) => [t.tests.join(" "), t.tests])).values()];
  for (const tests of groups) {
    const baseline = await runTests(workers[0].dir, tests, workers[0].port, timeout);
    if (!baseline.passed) {
      throw new Error(`the tests ${tests.join(", ")} fail without any mutant:\n${baseline.output.slice(-2000)}`);
    }
  }

  const results: MutantResult[] = new Array(mutants.length);
  let next = 0;
  let done = 0;
  await Promise.all(
    workers.map(async (worker) => {
      while (next < mutants.length) {
        const index = next++;
        const mutant = mutants[index];
        results[index] = await runMutant(mutant, worker, timeout);
        done++;
        const r = results[index];
        log(
          `[${done}/${mutants.length}] ${r.outcome.padEnd(10)} ${r.seconds.toFixed(1).padStart(5)} s  ${mutant.id}  ` +
            `${JSON.stringify(mutant.original)} → ${JSON.stringify(mutant.replacement)}`,
        );
      }
    }),
  );
  return results;
}

async function runMutant(
  mutant: SqlMutant,
  worker: { dir: string; port: number },
  timeout: number,
): Promise<MutantResult> {
  const equivalent = EQUIVALENT_SQL_MUTANTS[mutant.id];
  if (equivalent) return { mutant, outcome: "equivalent", seconds: 0, detail: equivalent };
  const file = path.join(worker.dir, SQL_FOLDER, mutant.file);
  const original = readFileSync(file, "utf8");
  writeFileSync(file, applyMutant(original, mutant));
  writeSchemaMigration(worker.dir);
  const started = performance.now();
  const tests = SQL_TARGETS.find((t) => t.file === mutant.file)!.tests;
  try {
    let run = await runTests(worker.dir, tests, worker.port, timeout);
    // The previous mutant's Postgres (its run stopped at the first failure) may still be shutting
    // down: wait for the port and run again, a few times.
    for (let attempt = 1; attempt <= 3 && !run.passed && /already in use/.test(run.output); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 10_000 * attempt));
      run = await runTests(worker.dir, tests, worker.port, timeout);
    }
    // A suite that could not even start its Postgres caught nothing: stop rather than count it.
    if (!run.passed && /already in use/.test(run.output)) {
      throw new Error(`mutant ${mutant.id}: the tests could not start their Postgres:\n${firstFailure(run.output)}`);
    }
    const outcome: Outcome = run.timedOut ? "timeout" : run.passed ? "survived" : "caught";
    return {
      mutant,
      outcome,
      seconds: (performance.now() - started) / 1000,
      detail: outcome === "caught" ? firstFailure(run.output) : (ACCEPTED_SQL_SURVIVORS[mutant.id] ?? ""),
    };
  } finally {
    writeFileSync(file, original);
    writeSchemaMigration(worker.dir);
  }
}
