// The functions' .env file: read with the dotenv rules the Supabase CLI uses, and never the
// developer's own file during a test run.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { functionsEnvFile, readFunctionsEnvFile } from "../scripts/lib/functions-server.ts";
import { FUNCTIONS_DIR } from "../scripts/lib/paths.ts";
import { terminalEnv } from "../scripts/lib/terminal-env.ts";

function envFile(text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "voronka-env-")), ".env");
  writeFileSync(file, text);
  return file;
}

describe("readFunctionsEnvFile", () => {
  it("follows dotenv: inline comments dropped, quotes removed, export and blank lines allowed", () => {
    const file = envFile(
      [
        "# a comment line",
        "",
        "FB_ACCESS_TOKEN=EAAB123   # the long-lived token",
        'AMOCRM_SUBDOMAIN="voronka-demo"',
        "LEAD_CAPTURE_SECRET='single # not a comment'",
        'FB_APP_SECRET="has # hash inside"',
        "export AMOCRM_ACCOUNT_ID=31000001",
        "AMOCRM_BASE_URL = https://voronka-demo.amocrm.ru ",
        'MULTI="line1\\nline2"',
      ].join("\n"),
    );
    expect(readFunctionsEnvFile(file)).toEqual({
      FB_ACCESS_TOKEN: "EAAB123",
      AMOCRM_SUBDOMAIN: "voronka-demo",
      LEAD_CAPTURE_SECRET: "single # not a comment",
      FB_APP_SECRET: "has # hash inside",
      AMOCRM_ACCOUNT_ID: "31000001",
      AMOCRM_BASE_URL: "https://voronka-demo.amocrm.ru",
      MULTI: "line1\nline2",
    });
  });

  it("no file: no settings", () => {
    expect(readFunctionsEnvFile(path.join(tmpdir(), "voronka-no-such-dir", ".env"))).toEqual({});
  });

  it("VORONKA_FUNCTIONS_ENV_FILE chooses the file; otherwise supabase/functions/.env", () => {
    expect(functionsEnvFile({})).toBe(path.join(FUNCTIONS_DIR, ".env"));
    const file = envFile("FB_ACCESS_TOKEN=from-chosen-file\n");
    expect(functionsEnvFile({ VORONKA_FUNCTIONS_ENV_FILE: file })).toBe(file);
  });
});

describe("a test run", () => {
  it("never reads the developer's supabase/functions/.env nor their exported function settings", () => {
    expect(functionsEnvFile()).not.toBe(path.join(FUNCTIONS_DIR, ".env"));
    expect(readFunctionsEnvFile()).toEqual({});
    const env = terminalEnv();
    for (const name of ["FB_ACCESS_TOKEN", "LEAD_CAPTURE_SECRET", "AMOCRM_WEBHOOK_SECRET", "SUPABASE_DB_URL"]) {
      expect(env[name], name).toBeUndefined();
    }
  });
});
