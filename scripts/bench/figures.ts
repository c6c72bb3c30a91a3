// The figures a benchmark reports, in a form `npm run bench` collects: each bench script calls
// reportFigures once at the end. Every figure is printed as one line
//   bench-figure {"bench":"webhook","id":"…","label":"…","value":…,"unit":"…","target":{…}}
// and, when VORONKA_BENCH_FIGURES_FILE is set (npm run bench sets it), appended to that file as a
// JSON line. A new benchmark joins the table by calling reportFigures and being listed in
// scripts/bench/all.ts — nothing else to change.
import { appendFileSync } from "node:fs";

export interface Figure {
  /** Stable id (kebab-case), unique within the bench. */
  id: string;
  /** What it is, as the table shows it. */
  label: string;
  /** The measured value; null when it could not be measured (the table says so). */
  value: number | null;
  /** "ms", "%", "x", "MB", "s", "req/s". */
  unit: string;
  /** The target: value must be at most / at least this. Absent: informational. */
  target?: { max?: number; min?: number };
  /** Context for the reader (e.g. "at saturation", "n of 5 answered 503"). */
  note?: string;
}

export const FIGURE_PREFIX = "bench-figure ";

export function reportFigures(bench: string, figures: Figure[]): void {
  const lines = figures.map((f) => JSON.stringify({ bench, ...f }));
  for (const line of lines) console.log(`${FIGURE_PREFIX}${line}`);
  const file = process.env.VORONKA_BENCH_FIGURES_FILE;
  if (file) appendFileSync(file, lines.map((l) => `${l}\n`).join(""));
}

/** pass / short / n/a for a figure against its target. */
export function verdict(figure: Pick<Figure, "value" | "target">): "pass" | "short" | "n/a" | "not measured" {
  if (figure.value === null || !Number.isFinite(figure.value)) return "not measured";
  if (!figure.target) return "n/a";
  const { max, min } = figure.target;
  if (max !== undefined && figure.value > max) return "short";
  if (min !== undefined && figure.value < min) return "short";
  return "pass";
}

/** The p-th percentile (nearest rank) of unsorted values. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
