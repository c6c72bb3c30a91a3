// Flags of the `npm run` tools: `--help` prints the usage; an unknown flag or a bad value prints one
// line saying what is wrong and the usage, on stderr, and exits 2 — no stack trace.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

type Values<T extends Options> = { [K in keyof T]?: T[K]["type"] extends "boolean" ? boolean : string };

export interface CommandLine<T extends Options> {
  values: Values<T>;
  /** Arguments that are not flags (only when the tool allows them). */
  positionals: string[];
  /** Prints `message` and the usage, exits 2. */
  fail(message: string): never;
}

export function parseCommandLine<T extends Options>(
  tool: string,
  usage: string,
  options: T,
  args: string[] = process.argv.slice(2),
  allowPositionals = false,
): CommandLine<T> {
  const fail = (message: string): never => {
    process.stderr.write(`${tool}: ${message}\n\n${usage.trimEnd()}\n`);
    process.exit(2);
  };
  let values: Record<string, unknown> = {};
  let positionals: string[] = [];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals,
    }));
  } catch (error) {
    fail((error as Error).message.replace(/\. To specify a positional argument.*$/s, "."));
  }
  if (values.help) {
    process.stdout.write(`${usage.trimEnd()}\n`);
    process.exit(0);
  }
  return { values: values as Values<T>, positionals, fail };
}

/** A whole number ≥ min from a flag's text, or a usage error naming the flag. */
export function wholeNumberFlag(
  line: { fail(message: string): never },
  flag: string,
  text: string | undefined,
  min = 0,
): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min) {
    line.fail(`--${flag} must be a whole number${min > 0 ? ` ≥ ${min}` : ""}, got "${text}"`);
  }
  return Number(text);
}

/** A date or instant (ISO 8601) from a flag's text, or a usage error naming the flag. */
export function dateFlag(
  line: { fail(message: string): never },
  flag: string,
  text: string | undefined,
): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime())) {
    line.fail(`--${flag} must be a date or time like 2026-11-20 or 2026-11-20T10:00:00+05:00, got "${text}"`);
  }
  return date;
}

/** `Usage: npm run <tool>` and the script's leading `//` comment, as its --help text. */
export function usageFromHeader(tool: string, scriptUrl: string): string {
  const text = readFileSync(fileURLToPath(scriptUrl), "utf8");
  const header = text
    .split("\n")
    .slice(text.startsWith("#!") ? 1 : 0)
    .filter((_, i, lines) => lines.slice(0, i + 1).every((l) => l.startsWith("//")))
    .map((l) => l.replace(/^\/\/ ?/, "  "));
  return [`Usage: ${tool === "start" ? "npm start" : `npm run ${tool}`}`, ...header].join("\n");
}
