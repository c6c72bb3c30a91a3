// README → Configuration cannot go stale: every environment variable the code reads is a row of
// its table (and every row is still read), and the two example files say what their place needs.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";
import { describe, expect, it } from "vitest";
import { HOSTED_SETTINGS } from "../scripts/lib/hosted-project.ts";
import { PROJECT_ROOT } from "../scripts/lib/paths.ts";

const READ =
  /(?:Deno\.env\.get\(\s*|process\.env\.|process\.env\[\s*|\benv\.|\benv\(\s*|\(env,\s*|\benv\[\s*)["']?([A-Z][A-Z0-9_]{2,})\b/g;

function variablesReadInCode(): Set<string> {
  const names = new Set<string>();
  for (const dir of ["supabase/functions", "scripts", "tests/support", "dashboard/src"]) {
    for (const file of readdirSync(path.join(PROJECT_ROOT, dir), { recursive: true, encoding: "utf8" })) {
      if (!/\.tsx?$/.test(file)) continue;
      const text = readFileSync(path.join(PROJECT_ROOT, dir, file), "utf8");
      for (const match of text.matchAll(READ)) names.add(match[1]);
    }
  }
  return names;
}

const readme = readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
const section = (title: string) => {
  const start = readme.indexOf(`\n## ${title}`);
  return readme.slice(start, readme.indexOf("\n## ", start + 1));
};

/** Variable → its "where" column (local / hosted / both), from the table's rows. */
function documented(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of section("Configuration").split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells.length < 6 || !cells[1].startsWith("`")) continue;
    for (const [, name] of cells[1].matchAll(/`([A-Z][A-Z0-9_]+)`/g)) rows.set(name, cells[4]);
  }
  return rows;
}

function example(name: string): { text: string; names: string[] } {
  const text = readFileSync(path.join(PROJECT_ROOT, "supabase/functions", name), "utf8");
  const uncommented = text.replace(/^#\s*(?=[A-Z][A-Z0-9_]*=)/gm, "");
  return { text, names: Object.keys(parseEnv(uncommented)) };
}

describe("README → Configuration", () => {
  it("has a row for every variable the code reads, and no row for one it does not", () => {
    const read = variablesReadInCode();
    const rows = documented();
    expect(read.size).toBeGreaterThan(40);
    expect([...read].filter((name) => !rows.has(name)).sort(), "read in code, missing in the README").toEqual([]);
    expect([...rows.keys()].filter((name) => !read.has(name)).sort(), "in the README, read nowhere").toEqual([]);
    for (const [name, where] of rows) expect(["local", "hosted", "both"], name).toContain(where);
  });

  it("the hosted example names only hosted settings and no local address; deploying uses it", () => {
    const rows = documented();
    const hosted = example(".env.hosted.example");
    expect(hosted.text).not.toMatch(/127\.0\.0\.1|localhost|fake/i);
    expect(hosted.names.length).toBeGreaterThan(5);
    for (const name of hosted.names) expect(["hosted", "both"], name).toContain(rows.get(name));
    expect(section("Deploying to a hosted Supabase project")).toContain("supabase/functions/.env.hosted.example");
    expect(section("Deploying to a hosted Supabase project")).not.toMatch(/--env-file \S*supabase\/functions\/\.env\b/);
  });

  it("npm run deploy pushes exactly the hosted settings of the table (SUPABASE_* are Supabase's own)", () => {
    const hostedRows = [...documented()]
      .filter(([name, where]) => where !== "local" && !name.startsWith("SUPABASE_"))
      .map(([name]) => name);
    expect([...HOSTED_SETTINGS].sort()).toEqual(hostedRows.sort());
  });

  it("the local example names only documented settings", () => {
    const rows = documented();
    const local = example(".env.local.example");
    expect(local.names.length).toBeGreaterThan(5);
    for (const name of local.names) expect(rows.has(name), name).toBe(true);
  });
});
