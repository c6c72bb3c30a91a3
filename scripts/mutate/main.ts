// npm run mutate [-- --sql | --ts] [--filter <regex>] [--workers N] [--scores]
//
// --filter: SQL mutant ids, or for --ts the paths of stryker.config.json's mutate files (a folder:
// `--ts --filter _shared/facebook/`). --workers: parallel runs, each on its own span of Postgres
// ports (default 1; tests/support/ports.ts). --scores: print the last TypeScript report's
// per-folder figures and stop (incremental runs keep every folder's latest results in it).
//
// Mutation testing, outside `npm test` (it runs the suite hundreds of times):
// - SQL: the operators of scripts/mutate/sql-operators.ts on the files of scripts/mutate/targets.ts,
//   each mutant against the test files that cover its file (scripts/mutate/sql.ts);
// - TypeScript: StrykerJS with its vitest runner on supabase/functions/_shared (stryker.config.json).
// Prints caught / survived / time per mutant and the score; writes .local/mutate/sql-report.json
// and .local/mutate/typescript-report.json.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../lib/paths.ts";
import { type MutantResult, runSqlMutation } from "./sql.ts";
import { parseCommandLine, usageFromHeader } from "../lib/command-line.ts";
import { MUTATE_PORT_BASE } from "../../tests/support/ports.ts";

const line = parseCommandLine("mutate", usageFromHeader("mutate", import.meta.url), {
  sql: { type: "boolean" },
  ts: { type: "boolean" },
  filter: { type: "string" },
  workers: { type: "string" },
  scores: { type: "boolean" },
});
if (line.values.sql && line.values.ts) line.fail("--sql and --ts exclude each other (neither runs both)");
const only = line.values.sql ? "sql" : line.values.ts ? "ts" : "both";
const filter = line.values.filter;
const workers = line.values.workers === undefined ? 1 : Number(line.values.workers);
if (!Number.isInteger(workers) || workers < 1)
  line.fail(`--workers must be a whole number ≥ 1, got ${line.values.workers}`);
const reportDir = path.join(PROJECT_ROOT, ".local/mutate");
mkdirSync(reportDir, { recursive: true });

function score(caught: number, survived: number): string {
  const total = caught + survived;
  return total === 0 ? "n/a" : `${((100 * caught) / total).toFixed(1)} %`;
}

async function sqlHalf(): Promise<string> {
  const started = performance.now();
  const results = await runSqlMutation({ filter, workers });
  writeFileSync(path.join(reportDir, "sql-report.json"), JSON.stringify(results, null, 2));
  const count = (outcome: MutantResult["outcome"]) => results.filter((r) => r.outcome === outcome).length;
  const caught = count("caught") + count("timeout");
  const survived = count("survived");
  console.log("\nSQL survivors:");
  for (const r of results.filter((r) => r.outcome === "survived")) {
    console.log(
      `  ${r.mutant.id} (line ${r.mutant.line}): ${JSON.stringify(r.mutant.original)} → ${JSON.stringify(r.mutant.replacement)}` +
        (r.detail ? `\n      accepted: ${r.detail}` : ""),
    );
  }
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  return (
    `SQL         ${String(results.length).padStart(5)} mutants  ${String(caught).padStart(4)} caught  ` +
    `${String(survived).padStart(4)} survived  ${String(count("equivalent")).padStart(4)} equivalent  ` +
    `score ${score(caught, survived)}  (${minutes} min)`
  );
}

/** The files stryker.config.json mutates, narrowed to those whose path matches --filter. */
function typescriptFiles(): string[] {
  const config = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "stryker.config.json"), "utf8")) as {
    mutate: string[];
  };
  const files = config.mutate.filter((file) => !filter || new RegExp(filter).test(file));
  if (files.length === 0) line.fail(`--filter ${filter} matches none of stryker.config.json's mutate files`);
  return files;
}

async function typescriptHalf(): Promise<string[]> {
  const started = performance.now();
  const stryker = path.join(PROJECT_ROOT, "node_modules/.bin/stryker");
  // Incremental (stryker.config.json): mutants of files not in this run keep their last result in
  // the report, so the per-folder figures below always cover the whole list.
  const strykerArgs = ["run", "--concurrency", String(workers), "--mutate", typescriptFiles().join(",")];
  const code = await new Promise<number>((resolve) => {
    const child = spawn(stryker, strykerArgs, {
      cwd: PROJECT_ROOT,
      stdio: "inherit",
      // The run's own Postgres ports (one span per Stryker worker slot, tests/support/ports.ts),
      // away from a running `npm test`.
      env: { ...process.env, VORONKA_TEST_PG_PORT: String(MUTATE_PORT_BASE), VORONKA_MUTATE_SLOTS: String(workers) },
    });
    child.on("exit", (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`stryker exited with ${code}`);
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  return [...typescriptScores(), `(TypeScript run: ${minutes} min)`];
}

/** Per folder of _shared and in total, from the last report (incremental: every folder's latest results). */
function typescriptScores(): string[] {
  const report = JSON.parse(readFileSync(path.join(reportDir, "typescript-report.json"), "utf8")) as {
    files: Record<string, { mutants: { status: string }[] }>;
  };
  const byFolder = new Map<string, string[]>();
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const folder = path.dirname(path.relative("supabase/functions/_shared", file)) || ".";
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), ...mutants.map((m) => m.status)]);
  }
  // Stryker's statuses: Killed and Timeout are caught; Survived and NoCoverage (no test reaches it)
  // are not; Ignored is an excluded mutator or a `// Stryker disable … : <reason>`; RuntimeError and
  // CompileError are mutants that cannot run at all (Stryker leaves them out of its score too).
  const row = (name: string, statuses: string[]) => {
    const n = (s: string) => statuses.filter((x) => x === s).length;
    const caught = n("Killed") + n("Timeout");
    const survived = n("Survived") + n("NoCoverage");
    const invalid = n("RuntimeError") + n("CompileError");
    return (
      `${name.padEnd(26)}${String(statuses.length).padStart(5)} mutants  ${String(caught).padStart(4)} caught  ` +
      `${String(survived).padStart(4)} survived  ${String(n("Ignored")).padStart(4)} ignored  ` +
      `${String(invalid).padStart(3)} invalid  score ${score(caught, survived)}`
    );
  };
  return [
    ...[...byFolder]
      .sort()
      .map(([folder, statuses]) => row(`TypeScript _shared/${folder === "." ? "" : folder}`, statuses)),
    row("TypeScript", [...byFolder.values()].flat()),
  ];
}

if (line.values.scores) {
  // The last TypeScript report's figures, without running anything.
  console.log(typescriptScores().join("\n"));
  process.exit(0);
}

const lines: string[] = [];
if (only !== "ts") lines.push(await sqlHalf());
if (only !== "sql") lines.push(...(await typescriptHalf()));
console.log(`\n${lines.join("\n")}`);
