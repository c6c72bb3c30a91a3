// npm run mutate [-- --sql | --ts] [--filter <text>] [--workers N]
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

const line = parseCommandLine("mutate", usageFromHeader("mutate", import.meta.url), {
  sql: { type: "boolean" },
  ts: { type: "boolean" },
  filter: { type: "string" },
  workers: { type: "string" },
});
if (line.values.sql && line.values.ts) line.fail("--sql and --ts exclude each other (neither runs both)");
const only = line.values.sql ? "sql" : line.values.ts ? "ts" : "both";
const filter = line.values.filter;
const workers = line.values.workers === undefined ? 2 : Number(line.values.workers);
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

async function typescriptHalf(): Promise<string> {
  const started = performance.now();
  const stryker = path.join(PROJECT_ROOT, "node_modules/.bin/stryker");
  const strykerArgs = ["run", ...(filter ? ["--mutate", filter] : [])];
  const code = await new Promise<number>((resolve) => {
    const child = spawn(stryker, strykerArgs, {
      cwd: PROJECT_ROOT,
      stdio: "inherit",
      // Its own Postgres ports (one per Stryker worker), away from a running `npm test`.
      env: { ...process.env, VORONKA_TEST_PG_PORT: process.env.VORONKA_MUTATE_TS_PG_PORT ?? "25500" },
    });
    child.on("exit", (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`stryker exited with ${code}`);
  const report = JSON.parse(readFileSync(path.join(reportDir, "typescript-report.json"), "utf8")) as {
    files: Record<string, { mutants: { status: string }[] }>;
  };
  const statuses = Object.values(report.files).flatMap((f) => f.mutants.map((m) => m.status));
  const n = (s: string) => statuses.filter((x) => x === s).length;
  const caught = n("Killed") + n("Timeout");
  const survived = n("Survived") + n("NoCoverage");
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  return (
    `TypeScript  ${String(statuses.length).padStart(5)} mutants  ${String(caught).padStart(4)} caught  ` +
    `${String(survived).padStart(4)} survived  ${String(n("Ignored")).padStart(4)} equivalent  ` +
    `score ${score(caught, survived)}  (${minutes} min)`
  );
}

const lines: string[] = [];
if (only !== "ts") lines.push(await sqlHalf());
if (only !== "sql") lines.push(await typescriptHalf());
console.log(`\n${lines.join("\n")}`);
