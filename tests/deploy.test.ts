// npm run deploy --dry-run against a real (local) database: it reports the migrations a push would
// apply (from the Supabase CLI's own dry run), the secrets by name only, the functions, the Vault
// secrets and pg_cron jobs; it refuses local defaults and fakes, and a real run against this machine.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionNames } from "../scripts/lib/functions-server.ts";
import { SCHEDULED_JOBS } from "../scripts/lib/hosted-project.ts";
import { PROJECT_ROOT } from "../scripts/lib/paths.ts";
import { addCronJob, createHostedCatalogStandIn } from "./support/hosted-catalog.ts";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";

const REF = "abcdefghijklmnopqrst";
const folder = mkdtempSync(path.join(os.tmpdir(), "voronka-deploy-test-"));
const GOOD_SECRETS = {
  LEAD_CAPTURE_SECRET: "4f1c2a9e8b7d6c5e4f3a2b1c0d9e8f7a",
  AMOCRM_WEBHOOK_SECRET: "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d",
  AMOCRM_RECONCILE_SECRET: "1234567890abcdef1234567890abcdef",
  FB_SYNC_SECRET: "0fedcba9876543210fedcba987654321",
  FB_ACCESS_TOKEN: "EAAGm0PX4ZCpsBAKZCZCZBdProductionToken",
};
function envFile(name: string, text: string): string {
  const file = path.join(folder, name);
  writeFileSync(file, text);
  return file;
}
const good = envFile(
  "good.env",
  Object.entries(GOOD_SECRETS)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n") + "\nAMOCRM_SUBDOMAIN=school # the account\nAMOCRM_ACCOUNT_ID=29384756\nAMOCRM_ACCESS_TOKEN=\n",
);

async function deploy(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "scripts/deploy.ts", ...args],
      { cwd: PROJECT_ROOT, timeout: 60_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

describe("npm run deploy --dry-run", () => {
  it("lists exactly the migrations not yet applied, the secrets by name, every function, Vault and pg_cron", async () => {
    const removed = await db.sql`
      delete from supabase_migrations.schema_migrations
      where version in (select version from supabase_migrations.schema_migrations order by version desc limit 1)
      returning version`;
    try {
      const result = await deploy("--project-ref", REF, "--db-url", db.url, "--hosted-env", good, "--dry-run");
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const pending = result.stdout.match(/^ {3}\+ (\S+)$/gm)?.map((l) => l.trim().slice(2).split("_")[0]);
      expect(pending?.sort()).toEqual(removed.map((r) => r.version).sort());
      expect(result.stdout).toContain("1 to apply:");
      expect(result.stdout).toContain(
        "7 to set (values not shown): AMOCRM_ACCOUNT_ID, AMOCRM_RECONCILE_SECRET, AMOCRM_SUBDOMAIN, AMOCRM_WEBHOOK_SECRET, FB_ACCESS_TOKEN, FB_SYNC_SECRET, LEAD_CAPTURE_SECRET",
      );
      expect(result.stdout).toContain("AMOCRM_ACCESS_TOKEN empty: amoCRM reconciliation stays off");
      for (const value of Object.values(GOOD_SECRETS)) expect(result.stdout).not.toContain(value);
      for (const name of functionNames()) {
        expect(result.stdout).toContain(`   ${name}: https://${REF}.supabase.co/functions/v1/${name} (verify_jwt off`);
      }
      expect(result.stdout).toContain(
        `facebook_sync_url: would be https://${REF}.supabase.co/functions/v1/facebook-sync`,
      );
      expect(result.stdout).toContain("this database has no Vault");
      for (const job of SCHEDULED_JOBS) {
        expect(result.stdout).toMatch(
          new RegExp(`^ {3}${job.name} .*not scheduled: this database does not offer pg_cron`, "m"),
        );
      }
      expect(result.stdout).toMatch(/^Dry run complete/m);
      // Nothing changed.
      const again =
        await db.sql`select version from supabase_migrations.schema_migrations where version in ${db.sql(removed.map((r) => r.version))}`;
      expect(again).toEqual([]);
    } finally {
      for (const r of removed)
        await db.sql`insert into supabase_migrations.schema_migrations (version) values (${r.version})`;
    }
  });

  it("up to date: says so", async () => {
    const result = await deploy("--project-ref", REF, "--db-url", db.url, "--hosted-env", good, "--dry-run");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("up to date: every file of supabase/migrations is applied");
  });

  it("refuses local defaults, fakes, placeholders, local addresses, local-only and SUPABASE_ names: exit 1", async () => {
    const bad = envFile(
      "bad.env",
      [
        "LEAD_CAPTURE_SECRET=local-lead-capture-secret",
        "AMOCRM_WEBHOOK_SECRET=short",
        "AMOCRM_SUBDOMAIN=voronka-demo",
        "AMOCRM_ACCOUNT_ID=29384756",
        "AMOCRM_BASE_URL=http://127.0.0.1:54380",
        "FB_ACCESS_TOKEN=fake-token",
        "FB_SYNC_SECRET=<FB_SYNC_SECRET>",
        "VORONKA_PG_PORT=54322",
        "SUPABASE_DB_URL=postgresql://postgres:postgres@127.0.0.1:54322/postgres",
      ].join("\n"),
    );
    const result = await deploy("--project-ref", REF, "--db-url", db.url, "--hosted-env", bad, "--dry-run");
    expect(result.code).toBe(1);
    const refused = result.stdout.slice(result.stdout.indexOf("A real run would refuse:"));
    for (const expected of [
      /LEAD_CAPTURE_SECRET: "local-lead-capture-secret" is a local default/,
      /AMOCRM_WEBHOOK_SECRET: 5 characters is guessable/,
      /AMOCRM_SUBDOMAIN: "voronka-demo" is a local default/,
      /AMOCRM_BASE_URL: not a setting of the hosted functions/,
      /FB_ACCESS_TOKEN: "fake-token" is a local default or fake value/,
      /FB_SYNC_SECRET: looks like a placeholder/,
      /VORONKA_PG_PORT: not a setting of the hosted functions/,
      /SUPABASE_DB_URL: SUPABASE_\* names are provided by Supabase/,
      /AMOCRM_RECONCILE_SECRET: required, but empty or missing/,
    ]) {
      expect(refused).toMatch(expected);
    }
    expect(refused).not.toMatch(/AMOCRM_ACCOUNT_ID/);
    expect(result.stdout).toContain("1 to set (values not shown): AMOCRM_ACCOUNT_ID");
  });

  it("reads Vault and pg_cron where they exist: updates what is there, creates the rest, lists jobs present", async () => {
    const hosted = await createTestDatabase();
    try {
      await createHostedCatalogStandIn(hosted.sql);
      await hosted.sql`insert into vault.secrets (name, secret) values ('facebook_sync_url', 'x')`;
      await addCronJob(hosted.sql, "voronka-refresh-funnel-analytics", "*/5 * * * *");
      const result = await deploy("--project-ref", REF, "--db-url", hosted.url, "--hosted-env", good, "--dry-run");
      expect(result.stdout).toContain(
        `facebook_sync_url: update to https://${REF}.supabase.co/functions/v1/facebook-sync`,
      );
      expect(result.stdout).toContain("facebook_sync_secret: create as FB_SYNC_SECRET");
      expect(result.stdout).toContain("amocrm_reconcile_secret: create as AMOCRM_RECONCILE_SECRET");
      expect(result.stdout).toMatch(/^ {3}voronka-refresh-funnel-analytics .*: present \(\*\/5 \* \* \* \*\)$/m);
    } finally {
      await hosted.drop();
    }
  });
});

describe("npm run deploy: usage", () => {
  it("--help, unknown flags, missing or malformed arguments: exit 0 / one-line usage errors (exit 2)", async () => {
    const help = await deploy("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run deploy/);
    expect(help.stdout).toContain("--dry-run");
    for (const [args, message] of [
      [["--bogus"], "deploy: Unknown option '--bogus'"],
      [["--db-url", db.url], "deploy: --project-ref is required"],
      [
        ["--project-ref", "Not-A-Ref", "--db-url", db.url],
        'deploy: --project-ref must be 20 lowercase letters, got "Not-A-Ref"',
      ],
      [["--project-ref", REF], "deploy: --db-url is required"],
      [["--project-ref", REF, "--db-url", "mysql://x"], "deploy: --db-url must be a postgresql:// URL"],
      [
        ["--project-ref", REF, "--db-url", db.url, "--hosted-env", "supabase/functions/.env", "--dry-run"],
        "deploy: --hosted-env supabase/functions/.env holds the local stack's settings",
      ],
    ] as [string[], string][]) {
      const result = await deploy(...args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr.split("\n")[0]).toContain(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("a real run against a database on this machine is refused before anything changes", async () => {
    const before = await db.sql`select version from supabase_migrations.schema_migrations order by version`;
    const result = await deploy("--project-ref", REF, "--db-url", db.url, "--hosted-env", good, "--yes");
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toMatch(/is a database on this machine: deploy targets a hosted project/);
    expect(result.stdout).toBe("");
    expect(await db.sql`select version from supabase_migrations.schema_migrations order by version`).toEqual(before);
  });
});
