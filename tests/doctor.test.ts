// npm run doctor: says what needs action and exits 1 then; healthy is exit 0.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startFakeAmocrmApi } from "../scripts/fakes/amocrm-api.ts";
import { seedScenario } from "../scripts/fakes/facebook-graph/scenario.ts";
import { startFakeGraph } from "../scripts/fakes/facebook-graph/server.ts";
import { type FunctionsServer, startFunctionsServer } from "../scripts/lib/functions-server.ts";
import { PROJECT_ROOT } from "../scripts/lib/paths.ts";
import { addCronJob, createHostedCatalogStandIn } from "./support/hosted-catalog.ts";
import { testPort } from "./support/ports.ts";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";

let db: TestDatabase;
let functions: FunctionsServer;
beforeAll(async () => {
  db = await createTestDatabase();
  functions = await startFunctionsServer({
    port: testPort("doctorFunctions"),
    upstreamPort: testPort("doctorFunctions") + 1,
    only: ["health"],
    env: { SUPABASE_DB_URL: db.url },
    log: () => {},
  });
}, 120_000);
afterAll(async () => {
  await functions?.stop();
  await db?.drop();
});

async function doctor(
  functionsUrl: string,
  options: { dbUrl?: string; args?: string[] } = {},
): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/doctor.ts",
        "--db-url",
        options.dbUrl ?? db.url,
        "--functions-url",
        functionsUrl,
        ...(options.args ?? []),
      ],
      { cwd: PROJECT_ROOT, timeout: 60_000 },
    );
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

it("healthy: migrations applied, functions answer, no error-level data check → exit 0", async () => {
  const result = await doctor(functions.url);
  expect(result.stdout).toMatch(/^✓ migrations: all \d+ applied$/m);
  expect(result.stdout).toMatch(/^✓ functions: .*\/health answers 200/m);
  expect(result.stdout).not.toMatch(/^✗/m);
  // No pg_cron or Vault in a database on this machine: said, not counted as a fault.
  expect(result.stdout).toMatch(/^· pg_cron: not in this database .*npm start's timers stand in/m);
  expect(result.stdout).toMatch(/^· Vault: not in this database/m);
  expect(result.code, result.stdout).toBe(0);
  expect(result.stdout).toMatch(/Healthy\.$/m);
});

it("functions down and a migration missing → each named, exit 1", async () => {
  const [latest] = await db.sql`
    delete from supabase_migrations.schema_migrations
    where version = (select max(version) from supabase_migrations.schema_migrations) returning version`;
  try {
    const result = await doctor(`http://127.0.0.1:${testPort("doctorNothing")}/functions/v1`);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`✗ migrations: 1 not applied (${latest.version})`);
    expect(result.stdout).toMatch(/^✗ functions: .*unreachable/m);
    expect(result.stdout).toMatch(/Action needed/);
  } finally {
    await db.sql`insert into supabase_migrations.schema_migrations (version) values (${latest.version})`;
  }
});

const nothing = () => `http://127.0.0.1:${testPort("doctorNothing")}/functions/v1`;
const folder = mkdtempSync(path.join(os.tmpdir(), "voronka-doctor-test-"));

/** The fix printed under the finding whose line matches `finding`. */
function fixOf(stdout: string, finding: RegExp): string | undefined {
  const lines = stdout.split("\n");
  const i = lines.findIndex((l) => finding.test(l));
  return i >= 0 ? lines[i + 1]?.match(/^ {4}fix: (.*)$/)?.[1] : undefined;
}

it("pg_cron and Vault (where they exist): a missing job, a failed last run, an inactive job, a missing secret → ✗ with a fix", async () => {
  const hosted = await createTestDatabase();
  try {
    await createHostedCatalogStandIn(hosted.sql);
    await addCronJob(hosted.sql, "voronka-refresh-funnel-analytics", "*/5 * * * *", {
      runs: [
        ["failed", "2026-11-20T08:55:00Z", "ERROR: boom"],
        ["succeeded", "2026-11-20T09:00:00Z"],
      ],
    });
    await addCronJob(hosted.sql, "voronka-facebook-sync", "*/15 * * * *", {
      runs: [["failed", "2026-11-20T09:15:00Z", 'ERROR:  schema "net" does not exist']],
    });
    await addCronJob(hosted.sql, "voronka-apply-retention", "17 3 * * *", { active: false });
    await hosted.sql`
      insert into vault.secrets (name, secret)
      values ('facebook_sync_url', 'u'), ('facebook_sync_secret', 's'), ('amocrm_reconcile_url', 'u')`;
    const result = await doctor(nothing(), { dbUrl: hosted.url });
    expect(result.code).toBe(1);
    // The latest run decides, shown in Almaty (09:00 UTC = 14:00 UTC+5).
    expect(result.stdout).toMatch(
      /^✓ pg_cron job voronka-refresh-funnel-analytics \(\*\/5 \* \* \* \*\): last run succeeded at 2026-11-20 14:00 Asia\/Almaty \(\d+ days ago\)$/m,
    );
    const failed =
      /^✗ pg_cron job voronka-facebook-sync: last run failed at 2026-11-20 14:15 Asia\/Almaty .*schema "net" does not exist/m;
    expect(result.stdout).toMatch(failed);
    expect(fixOf(result.stdout, failed)).toContain("cron.job_run_details");
    const missing = /^✗ pg_cron job voronka-amocrm-reconcile \(\*\/10 \* \* \* \*, .*\): missing$/m;
    expect(result.stdout).toMatch(missing);
    expect(fixOf(result.stdout, missing)).toMatch(
      /^run `select \* from voronka\.schedule_jobs\(\);` in the SQL editor \(pg_net must be enabled first\)$/,
    );
    const inactive = /^✗ pg_cron job voronka-apply-retention: inactive$/m;
    expect(result.stdout).toMatch(inactive);
    expect(fixOf(result.stdout, inactive)).toContain("cron.alter_job(");
    const vault = /^✗ Vault: amocrm_reconcile_secret missing/m;
    expect(result.stdout).toMatch(vault);
    expect(fixOf(result.stdout, vault)).toMatch(/npm run deploy/);

    await addCronJob(hosted.sql, "voronka-amocrm-reconcile", "*/10 * * * *", {
      runs: [["succeeded", "2026-11-20T09:10:00Z"]],
    });
    await addCronJob(hosted.sql, "voronka-rebuild-analytics", "47 21 * * *");
    await hosted.sql`update cron.job set active = true`;
    await addCronJob(hosted.sql, "voronka-facebook-sync-old", "* * * * *"); // not one of ours: ignored
    await hosted.sql`delete from cron.job_run_details where status = 'failed'`;
    await hosted.sql`insert into vault.secrets (name, secret) values ('amocrm_reconcile_secret', 's')`;
    const fixed = await doctor(nothing(), { dbUrl: hosted.url });
    expect(fixed.stdout).not.toMatch(/^✗ (pg_cron|Vault)/m);
    expect(fixed.stdout).toMatch(
      /^! pg_cron job voronka-facebook-sync \(\*\/15 \* \* \* \*\): present, no run recorded yet$/m,
    );
    expect(fixed.stdout).toMatch(
      /^✓ Vault: facebook_sync_url, facebook_sync_secret, amocrm_reconcile_url, amocrm_reconcile_secret present$/m,
    );
  } finally {
    await hosted.drop();
  }
});

it("ages of the last sync, refresh and reconciliation, in Almaty; a token refusal and a failed reconciliation → ✗ with a fix", async () => {
  const aged = await createTestDatabase();
  try {
    await aged.sql`
      insert into voronka.fb_sync_run (started_at, finished_at, status, errors, message) values
        ('2026-11-20T08:59:00Z', '2026-11-20T09:00:00Z', 'succeeded', '[]', null),
        ('2026-11-20T09:14:00Z', '2026-11-20T09:15:00Z', 'failed',
         '[{"kind": "auth", "code": 190, "message": "Error validating access token: Session has expired"}]', 'token')`;
    await aged.sql`
      insert into analytics.funnel_refresh (refreshed_at, duration_ms, business_time_zone, reporting_currency)
      values ('2026-11-20T18:30:00Z', 12, 'Asia/Almaty', 'KZT')`;
    await aged.sql`
      insert into voronka.amocrm_sync_state (id, last_finished_at, last_status, last_error)
      values (true, '2026-11-20T19:00:00Z', 'error', 'amoCRM answered 401 Unauthorized')`;
    const result = await doctor(nothing(), { dbUrl: aged.url });
    expect(result.code).toBe(1);
    // 18:30 UTC is 23:30 in Almaty, still 20 November.
    const refresh =
      /^✗ analytics refresh: last 2026-11-20 23:30 Asia\/Almaty \(\d+ days ago\), more than an hour ago$/m;
    expect(result.stdout).toMatch(refresh);
    expect(fixOf(result.stdout, refresh)).toContain("select analytics.refresh_funnel_analytics();");
    const token =
      /^✗ Facebook: the last sync \(2026-11-20 14:15 Asia\/Almaty .*\) was refused for the token: Error validating access token/m;
    expect(result.stdout).toMatch(token);
    expect(fixOf(result.stdout, token)).toContain("FB_ACCESS_TOKEN");
    const reconcile =
      /^✗ amoCRM reconciliation: last run failed \(2026-11-21 00:00 Asia\/Almaty .*\): amoCRM answered 401/m;
    expect(result.stdout).toMatch(reconcile);
    expect(fixOf(result.stdout, reconcile)).toContain("AMOCRM_ACCESS_TOKEN");
    // Older than voronka.setting.facebook_sync_stale_after (2 hours).
    expect(result.stdout).toMatch(
      /^✗ Facebook sync: last success 2026-11-20 14:00 Asia\/Almaty .*older than 02:00:00/m,
    );
  } finally {
    await aged.drop();
  }
});

it("tokens from --hosted-env: Facebook's debug_token (valid, expiring, invalid) and amoCRM's account call with the JWT's expiry", async () => {
  const inFiveDays = Math.floor(Date.now() / 1000) + 5 * 86_400 + 3_600;
  const graph = await startFakeGraph({
    scenario: seedScenario(),
    accessToken: "doctor-fb-token",
    token: { expiresAt: inFiveDays },
  });
  const claims = {
    iat: Math.floor(Date.parse("2026-01-10T05:00:00Z") / 1000),
    exp: Math.floor(Date.now() / 1000) + 200 * 86_400,
  };
  const jwt = ["e30", Buffer.from(JSON.stringify(claims)).toString("base64url"), "signature"].join(".");
  const amocrm = await startFakeAmocrmApi({ token: jwt });
  try {
    const file = (name: string, lines: string[]) => {
      const f = path.join(folder, name);
      writeFileSync(f, lines.join("\n"));
      return f;
    };
    const good = file("good.env", [
      `FB_ACCESS_TOKEN=doctor-fb-token`,
      `FB_GRAPH_URL=${graph.url}`,
      `AMOCRM_ACCESS_TOKEN=${jwt}`,
      `AMOCRM_BASE_URL=${amocrm.url}`,
    ]);
    const result = await doctor(nothing(), { args: ["--hosted-env", good] });
    const expiring = /^! Facebook token: valid until \d{4}-\d\d-\d\d \d\d:\d\d Asia\/Almaty \(5 days left\)$/m;
    expect(result.stdout).toMatch(expiring);
    expect(fixOf(result.stdout, expiring)).toContain("FB_ACCESS_TOKEN");
    expect(
      graph.requests.some((r) => r.path.endsWith("/debug_token") && r.query.input_token === "doctor-fb-token"),
    ).toBe(true);
    expect(result.stdout).toMatch(
      /^✓ amoCRM token: valid until \S+ \S+ Asia\/Almaty \(199 days left, issued 2026-01-10 10:00 Asia\/Almaty\)$/m,
    );
    expect(amocrm.requests.some((r) => r.url === "/api/v4/account")).toBe(true);

    const bad = file("bad.env", [
      `FB_ACCESS_TOKEN=revoked-token`,
      `FB_GRAPH_URL=${graph.url}`,
      `AMOCRM_ACCESS_TOKEN=revoked.jwt.token`,
      `AMOCRM_BASE_URL=${amocrm.url}`,
    ]);
    const refused = await doctor(nothing(), { args: ["--hosted-env", bad] });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^✗ Facebook token: Invalid OAuth access token/m);
    expect(refused.stdout).toMatch(/^✗ amoCRM token: http:\/\/127\.0\.0\.1:\d+ answers 401 \(expired or revoked\)$/m);
  } finally {
    await graph.stop();
    await amocrm.stop();
  }
});

it("usage: --help, unknown flag, missing --hosted-env file", async () => {
  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/doctor.ts", ...args], {
      cwd: PROJECT_ROOT,
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
  const help = await run("--help");
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/^Usage: npm run doctor/);
  expect(help.stdout).toContain("pg_cron");
  const unknown = await run("--bogus");
  expect(unknown.code).toBe(2);
  expect(unknown.stderr.split("\n")[0]).toBe("doctor: Unknown option '--bogus'");
  const missing = await run("--hosted-env", path.join(folder, "nope.env"));
  expect(missing.code).toBe(2);
  expect(missing.stderr.split("\n")[0]).toMatch(/^doctor: --hosted-env \S+nope\.env does not exist$/);
});
