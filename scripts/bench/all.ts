// npm run bench — every benchmark, one after another, then one table of the figures they report:
// figure, now, target, pass/short. Each bench script prints its figures as machine-readable lines
// (scripts/bench/figures.ts, reportFigures); this collects them through VORONKA_BENCH_FIGURES_FILE.
// A new benchmark joins the table by calling reportFigures and being added to BENCHES below.
//
//   --only funnel,webhook   run only these benches (names as in BENCHES)
// Each bench keeps its own ports and environment variables (README → Configuration); absolute
// timings depend on the machine's load: compare runs made under the same conditions.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseCommandLine, usageFromHeader } from "../lib/command-line.ts";
import { PROJECT_ROOT } from "../lib/paths.ts";
import { type Figure, verdict } from "./figures.ts";

/** Every benchmark `npm run bench` runs, in order: name → script (run with tsx). */
export const BENCHES: Record<string, string> = {
  funnel: "scripts/bench/funnel.ts",
  ads: "scripts/bench/ads.ts",
  webhook: "scripts/bench/webhook.ts",
  facebook: "scripts/bench/facebook.ts",
};

const line = parseCommandLine("bench", usageFromHeader("bench", import.meta.url), { only: { type: "string" } });
const names = line.values.only ? line.values.only.split(",").map((n) => n.trim()) : Object.keys(BENCHES);
for (const name of names) if (!BENCHES[name]) line.fail(`unknown bench "${name}" (${Object.keys(BENCHES).join(", ")})`);

const dir = mkdtempSync(path.join(os.tmpdir(), "voronka-bench-"));
const figuresFile = path.join(dir, "figures.jsonl");
const exits: Record<string, number | null> = {};
try {
  for (const name of names) {
    console.log(`\n=== bench:${name} ===`);
    exits[name] = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, BENCHES[name])], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, VORONKA_BENCH_FIGURES_FILE: figuresFile },
        stdio: "inherit",
      });
      child.on("exit", (code) => resolve(code));
    });
  }
  let figures: (Figure & { bench: string })[] = [];
  try {
    figures = readFileSync(figuresFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    // no bench reported anything
  }
  printTable(figures);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function printTable(figures: (Figure & { bench: string })[]): void {
  const rows: string[][] = [["bench", "figure", "now", "target", "result"]];
  for (const name of names) {
    const own = figures.filter((f) => f.bench === name);
    if (own.length === 0) rows.push([name, "(no figures: the bench failed)", "", "", `exit ${exits[name]}`]);
    for (const f of own) {
      const target = f.target
        ? [f.target.max !== undefined ? `≤ ${f.target.max}` : "", f.target.min !== undefined ? `≥ ${f.target.min}` : ""]
            .filter(Boolean)
            .join(", ") + (f.unit ? ` ${f.unit}` : "")
        : "";
      const now = f.value === null ? "—" : `${f.value}${f.unit ? ` ${f.unit}` : ""}`;
      rows.push([name, f.label + (f.note ? ` (${f.note})` : ""), now, target, verdict(f)]);
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log(
    `\nnpm run bench — ${new Date().toISOString()}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}, ${os.cpus().length} CPUs`,
  );
  for (const [i, r] of rows.entries()) {
    console.log(r.map((c, j) => c.padEnd(widths[j])).join("  "));
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
  if (Object.values(exits).some((code) => code !== 0)) process.exitCode = 1;
}
