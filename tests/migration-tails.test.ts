// Data and schedules in a migration (what pg-delta does not diff) must sit in its hand-written
// tail: `npm run mutate` builds its scratch databases from the schema files plus exactly those
// tails, so a statement outside one would be missing there (an early migration's tail, marked in
// other words, left the mutation runs without the default ad UTM tags and the identity key).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MIGRATIONS_DIR } from "../scripts/lib/paths.ts";
import { handWrittenPart } from "../scripts/mutate/sql.ts";

const DATA_STATEMENT = /^(select|insert|update|delete|truncate|copy)\b/gim;

describe("migrations' hand-written tails", () => {
  it("hold every data statement of every migration", () => {
    const outside: string[] = [];
    for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith(".sql"))) {
      const text = readFileSync(path.join(MIGRATIONS_DIR, file), "utf8");
      const generated = text.slice(0, text.length - handWrittenPart(text).length);
      for (const match of generated.matchAll(DATA_STATEMENT)) outside.push(`${file}: ${match[0]}…`);
    }
    expect(outside).toEqual([]);
  });

  it("are found by either marker, and a migration without one has none", () => {
    const generated = "CREATE TABLE t (id int);\n";
    expect(handWrittenPart(generated)).toBe("");
    expect(handWrittenPart(`${generated}-- Hand-written: data\ninsert into t values (1);\n`)).toBe(
      "-- Hand-written: data\ninsert into t values (1);\n",
    );
    expect(handWrittenPart(`${generated}-- Written by hand below this line (data):\nselect 1;\n`)).toMatch(
      /^-- Written/,
    );
  });
});
