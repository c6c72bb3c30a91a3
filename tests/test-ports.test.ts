// The suite's ports: every block inside the span, no two blocks overlapping, and every port a test
// file listens on taken from the table (no hard-coded offsets left to collide).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { PROJECT_ROOT } from "../scripts/lib/paths.ts";
import { TEST_PORT_BLOCKS, TEST_PORT_SPAN } from "./support/ports.ts";

it("no two uses share a port, and all stay within the span", () => {
  const owner = new Map<number, string>();
  for (const [use, { offset, count }] of Object.entries(TEST_PORT_BLOCKS)) {
    for (let port = offset; port < offset + count; port++) {
      expect(owner.get(port), `offset ${port}: ${use} and ${owner.get(port)}`).toBeUndefined();
      expect(port).toBeLessThan(TEST_PORT_SPAN);
      owner.set(port, use);
    }
  }
});

it("test files take their ports from tests/support/ports.ts, and give function servers explicit process ports", () => {
  const files = readdirSync(path.join(PROJECT_ROOT, "tests"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.startsWith("support"))
    .map((f) => path.join(PROJECT_ROOT, "tests", f));
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const name = path.relative(PROJECT_ROOT, file);
    expect(text, name).not.toMatch(/VORONKA_TEST_PG_PORT[^\n]*\)\s*\+\s*\d/);
    expect(text, name).not.toMatch(/(?:BASE|BASE_PORT|inject\("postgresPort"\))\s*\+\s*\d/);
    const servers = text.match(/startFunctionsServer\(\{/g)?.length ?? 0;
    const explicit = text.match(/\bupstreamPort\s*[:,]/g)?.length ?? 0;
    expect(explicit, `${name}: every startFunctionsServer has an upstreamPort`).toBeGreaterThanOrEqual(servers);
  }
});
