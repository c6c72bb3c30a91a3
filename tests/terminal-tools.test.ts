// The `npm run` tools: --help for every one, and a mistyped flag or value is a one-line usage
// error (exit 2, no stack trace) before anything touches a database or an API.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { inBusinessZone } from "../scripts/lib/business-time.ts";
import { PROJECT_ROOT } from "../scripts/lib/paths.ts";
import { textTable } from "../scripts/lib/text-table.ts";

const scripts = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).scripts as Record<
  string,
  string
>;
const TOOLS = Object.entries(scripts)
  .filter(([, command]) => command.startsWith("tsx "))
  .map(([name, command]) => ({ name, file: command.slice("tsx ".length) }));

async function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", file, ...args], {
      cwd: PROJECT_ROOT,
      // Nowhere to connect: a tool that got past its flags would fail differently.
      env: { ...process.env, SUPABASE_DB_URL: "postgresql://nobody:x@127.0.0.1:9/none" },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe("every npm run tool", () => {
  it("is listed", () => {
    expect(TOOLS.map((t) => t.name)).toEqual(
      expect.arrayContaining(["start", "amocrm:replay", "amocrm:reconcile", "sync:facebook", "fake:facebook"]),
    );
  });

  it.each(TOOLS)("$name --help prints its usage and exits 0", async ({ name, file }) => {
    const result = await run(file, ["--help"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: npm (run )?${name}`));
  });

  it.each(TOOLS)("$name --bogus is a usage error", async ({ name, file }) => {
    const result = await run(file, ["--bogus"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${name === "start" ? "start" : name}: Unknown option '--bogus'`);
    expect(result.stderr).toContain("Usage:");
    noStack(result.stderr);
  });
});

describe("amocrm:replay values", () => {
  it.each([
    [["--from-id", "x"], '--from-id must be a whole number ≥ 1, got "x"'],
    [["--to-id", "12abc"], '--to-id must be a whole number ≥ 1, got "12abc"'],
    [["--since", "yesterday"], "--since must be a date or time like 2026-11-20"],
    [["--from-id"], "Option '--from-id <value>' argument missing"],
    [["--all", "--failed"], "--all and --failed exclude each other"],
  ])("%j", async (args, message) => {
    const result = await run("scripts/amocrm/replay.ts", args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    noStack(result.stderr);
  });
});

describe("terminal output", () => {
  it("textTable: header, rule, text left and numbers right", () => {
    const table = textTable(
      ["account", "outcome", "rows read"],
      [
        ["act_1001", "synced", "1,234"],
        ["act_22", "throttled", "5"],
      ],
    );
    expect(table.split("\n")).toEqual([
      "account   outcome    rows read",
      "──────────────────────────────",
      "act_1001  synced         1,234",
      "act_22    throttled          5",
    ]);
  });

  it("times are shown in the business zone, whatever the machine's", () => {
    expect(inBusinessZone("2026-11-26T20:30:00Z", "Asia/Almaty")).toBe("2026-11-27 01:30:00 Asia/Almaty");
    // UTC+6 until 2024-03-01 (local), UTC+5 since
    expect(inBusinessZone("2024-02-29T17:30:00Z", "Asia/Almaty")).toBe("2024-02-29 23:30:00 Asia/Almaty");
  });
});
