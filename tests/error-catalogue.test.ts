// README → Ingestion → Errors is the catalogue every function answers from: one row per code,
// with the status the code gets (supabase/functions/_shared/errors.ts).
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { PROJECT_ROOT } from "../scripts/lib/paths.ts";
import { ERROR_STATUS } from "../supabase/functions/_shared/errors.ts";
import { errorResponse } from "../supabase/functions/_shared/http.ts";

it("the README's error table lists every code of the catalogue with its status, and nothing else", () => {
  const readme = readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
  const start = readme.indexOf("### Errors");
  const section = readme.slice(start, readme.indexOf("\n### ", start + 1));
  const rows = Object.fromEntries(
    [...section.matchAll(/^\| `([a-z_]+)`\s*\| (\d{3})\s*\|/gm)].map(([, code, status]) => [code, Number(status)]),
  );
  expect(rows).toEqual({ ...ERROR_STATUS });
});

it("an error answer has the catalogue's status for its code", async () => {
  for (const [code, status] of Object.entries(ERROR_STATUS)) {
    const response = errorResponse(code as keyof typeof ERROR_STATUS, "why");
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error: { code, message: "why" } });
  }
});
