// `npm start`'s try-it commands name the secrets, never print them, and the way they say to
// read them works.
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LOCAL_FUNCTION_DEFAULTS, tryItCommands, withLocalDefaults } from "../scripts/local/local-secrets.ts";
import { PROJECT_ROOT } from "../scripts/lib/paths.ts";

const SECRETS = ["LEAD_CAPTURE_SECRET", "AMOCRM_WEBHOOK_SECRET", "AMOCRM_RECONCILE_SECRET", "FB_SYNC_SECRET"];

/** Runs the printed `export` lines in bash from `cwd`, and returns what each variable holds. */
function exported(commands: string, cwd: string): Record<string, string> {
  const exports = commands
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("export "));
  expect(exports).toHaveLength(2);
  const script = `${exports.join("\n")}\nprintf '%s\\n' "$LEAD_CAPTURE_SECRET" "$AMOCRM_WEBHOOK_SECRET"`;
  const [lead, amocrm] = execFileSync("bash", ["-c", script], { cwd, encoding: "utf8", env: {} }).split("\n");
  return { LEAD_CAPTURE_SECRET: lead, AMOCRM_WEBHOOK_SECRET: amocrm };
}

describe("tryItCommands", () => {
  it("with the local defaults: no secret value in the text; the export lines read them", () => {
    const { env } = withLocalDefaults({});
    const text = tryItCommands("http://127.0.0.1:54321/functions/v1", "postgresql://x@127.0.0.1/postgres", env);
    for (const name of SECRETS) expect(text).not.toContain(LOCAL_FUNCTION_DEFAULTS[name]);
    expect(text).toContain('Authorization: Bearer $LEAD_CAPTURE_SECRET"');
    expect(text).toContain("?secret=$AMOCRM_WEBHOOK_SECRET");
    expect(exported(text, PROJECT_ROOT)).toEqual({
      LEAD_CAPTURE_SECRET: LOCAL_FUNCTION_DEFAULTS.LEAD_CAPTURE_SECRET,
      AMOCRM_WEBHOOK_SECRET: LOCAL_FUNCTION_DEFAULTS.AMOCRM_WEBHOOK_SECRET,
    });
  });

  it("with secrets from supabase/functions/.env: not printed either; read from that file", () => {
    const env = { LEAD_CAPTURE_SECRET: "lead-Secret #from-env-42", AMOCRM_WEBHOOK_SECRET: "amo-Secret-from-env-43" };
    const text = tryItCommands("http://f", "postgresql://d", withLocalDefaults(env).env);
    expect(text).not.toContain(env.LEAD_CAPTURE_SECRET);
    expect(text).not.toContain(env.AMOCRM_WEBHOOK_SECRET);
    const project = mkdtempSync(path.join(tmpdir(), "voronka-try-"));
    mkdirSync(path.join(project, "supabase/functions"), { recursive: true });
    writeFileSync(
      path.join(project, "supabase/functions/.env"),
      // dotenv rules, as the functions read the file: quotes removed, `# comments` dropped.
      `LEAD_CAPTURE_SECRET="${env.LEAD_CAPTURE_SECRET}" # the landing's\nAMOCRM_WEBHOOK_SECRET=${env.AMOCRM_WEBHOOK_SECRET}   # amoCRM\n`,
    );
    cpSync(path.join(PROJECT_ROOT, "scripts/local"), path.join(project, "scripts/local"), { recursive: true });
    expect(exported(text, project)).toEqual(env);
  });
});
