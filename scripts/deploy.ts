// npm run deploy -- --project-ref REF --db-url URL [--hosted-env FILE] [--dry-run] [--yes]
//
// Deploys this repository to a hosted Supabase project, the steps of README → "Deploying to a
// hosted Supabase project", each naming the project explicitly (nothing relies on `supabase link`):
//   1. migrations     supabase db push --remote=<db-url>   (pending ones listed first)
//   2. secrets        supabase secrets set --env-file <checked copy> --remote=<ref>
//   3. functions      supabase functions deploy --remote=<ref> --use-api   (every supabase/functions/<name>)
//   4. Vault          the URL and bearer secret each pg_cron job reads (vault.create_secret / update_secret)
//   5. pg_cron jobs   checked after the push: present, and what each needs
// --dry-run changes nothing: it prints every step with what it would do (the pending migrations from
// `supabase db push --dry-run`, the secrets by name only, the functions, the Vault secrets to create
// or update, the pg_cron jobs there and to come) and exits 1 when a real run would refuse.
//
//   --project-ref REF   the project's ref (20 lowercase letters: https://<ref>.supabase.co)
//   --db-url URL        the project's database (Dashboard → Connect: direct or session pooler URL)
//   --hosted-env FILE   the function secrets (default supabase/.env.hosted, from
//                       supabase/functions/.env.hosted.example). Refused when any value is a local
//                       default, a fake, a placeholder or a local address, or a setting is local-only
//   --dry-run           print the plan only
//   --yes               do not ask before changing the project
// A real run needs `npx supabase login` (or SUPABASE_ACCESS_TOKEN) and refuses a database on this
// machine. Afterwards: npm run doctor -- --db-url URL --functions-url https://<ref>.supabase.co/functions/v1
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline/promises";
import postgres from "postgres";
import { parseCommandLine, usageFromHeader } from "./lib/command-line.ts";
import { functionNames } from "./lib/functions-server.ts";
import {
  checkHostedEnv,
  isLocalDatabaseUrl,
  migrationsScheduling,
  readSchedulingCatalog,
  redactUrl,
  SCHEDULED_JOBS,
  type SchedulingCatalog,
  vaultSecrets,
} from "./lib/hosted-project.ts";
import { PROJECT_ROOT } from "./lib/paths.ts";
import { pendingMigrations, supabaseAttached } from "./lib/supabase-cli.ts";

const line = parseCommandLine("deploy", usageFromHeader("deploy", import.meta.url), {
  "project-ref": { type: "string" },
  "db-url": { type: "string" },
  "hosted-env": { type: "string" },
  "dry-run": { type: "boolean" },
  yes: { type: "boolean", short: "y" },
});
const ref =
  line.values["project-ref"] ?? line.fail("--project-ref is required (Dashboard → Project Settings → General)");
if (!/^[a-z]{20}$/.test(ref)) line.fail(`--project-ref must be 20 lowercase letters, got "${ref}"`);
const dbUrl = line.values["db-url"] ?? line.fail("--db-url is required (Dashboard → Connect: the connection string)");
if (!/^postgres(ql)?:\/\//.test(dbUrl)) line.fail(`--db-url must be a postgresql:// URL, got "${redactUrl(dbUrl)}"`);
const dryRun = line.values["dry-run"] ?? false;
const localTarget = isLocalDatabaseUrl(dbUrl);
if (localTarget && !dryRun) {
  line.fail(
    `--db-url ${redactUrl(dbUrl)} is a database on this machine: deploy targets a hosted project (only --dry-run may read a local one)`,
  );
}
const envFile = path.resolve(line.values["hosted-env"] ?? path.join(PROJECT_ROOT, "supabase/.env.hosted"));
if (path.resolve(envFile) === path.join(PROJECT_ROOT, "supabase/functions/.env")) {
  line.fail(
    "--hosted-env supabase/functions/.env holds the local stack's settings; use a hosted file (supabase/.env.hosted)",
  );
}

const refusals: string[] = [];
const notes: string[] = [];
const say = (text = "") => console.log(text);
const cli = "supabase"; // the project's own CLI binary (see README → Deploying)

say(`${dryRun ? "Dry run: nothing is changed. " : ""}Deploy to project ${ref} (https://${ref}.supabase.co)`);
say(`Database: ${redactUrl(dbUrl)}${localTarget ? " (on this machine: read for this dry run only)" : ""}`);

// Function secrets: checked before anything else, so a refused file stops a real run at once.
let secrets: Record<string, string> = {};
if (!existsSync(envFile)) {
  refusals.push(
    `${path.relative(PROJECT_ROOT, envFile)} does not exist: cp supabase/functions/.env.hosted.example supabase/.env.hosted and fill it in`,
  );
} else {
  const check = checkHostedEnv(readFileSync(envFile, "utf8"));
  secrets = check.secrets;
  for (const problem of check.problems) refusals.push(`${path.relative(PROJECT_ROOT, envFile)}: ${problem}`);
}

const sql = postgres(dbUrl, { max: 1, onnotice: () => {}, connect_timeout: 10, prepare: false });
try {
  let catalog: SchedulingCatalog;
  let pending: string[];
  try {
    catalog = await readSchedulingCatalog(sql);
    pending = await pendingMigrations(dbUrl);
  } catch (error) {
    console.error(`deploy: cannot read ${redactUrl(dbUrl)}: ${(error as Error).message.trim()}`);
    process.exit(1);
  }

  say();
  say(`1. Migrations: ${cli} db push --remote=<db-url> --yes`);
  if (pending.length === 0) say("   up to date: every file of supabase/migrations is applied");
  else {
    say(`   ${pending.length} to apply:`);
    for (const file of pending) say(`   + ${file}`);
  }

  say();
  say(
    `2. Function secrets: ${cli} secrets set --env-file <checked copy of ${path.relative(PROJECT_ROOT, envFile)}> --remote=${ref} --yes`,
  );
  const names = Object.keys(secrets).sort();
  say(names.length ? `   ${names.length} to set (values not shown): ${names.join(", ")}` : "   none to set");
  if (!secrets.AMOCRM_ACCESS_TOKEN && existsSync(envFile))
    say("   AMOCRM_ACCESS_TOKEN empty: amoCRM reconciliation stays off");

  say();
  say(`3. Functions: ${cli} functions deploy --remote=${ref} --use-api --yes`);
  const verifyJwt = functionsVerifyJwt();
  for (const name of functionNames()) {
    const jwt = verifyJwt.get(name);
    say(
      `   ${name}: https://${ref}.supabase.co/functions/v1/${name}${jwt === false ? " (verify_jwt off: authenticates in its handler)" : ""}`,
    );
    if (jwt === undefined)
      refusals.push(`supabase/config.toml: [functions.${name}] is missing: its verify_jwt would default to true`);
  }

  say();
  say("4. Vault secrets the pg_cron jobs read (SQL on the database):");
  const vault = vaultSecrets(ref, secrets);
  if (!catalog.vault) {
    const text = "this database has no Vault (vault.secrets)";
    if (localTarget) {
      say(`   ${text}: the local stack keeps no Vault; on hosted Supabase it is always there`);
      notes.push("Vault and pg_cron are absent on this machine's database: the local stack runs the jobs on timers.");
    } else refusals.push(`${text}: enable the Vault integration (Dashboard → Integrations → Vault)`);
  }
  for (const secret of vault) {
    const action = !catalog.vault ? "would be" : catalog.vaultNames.has(secret.name) ? "update to" : "create as";
    say(`   ${secret.name}: ${action} ${secret.shown}`);
  }

  say();
  say("5. pg_cron jobs (scheduled by the migrations; the local stack runs timers instead):");
  for (const job of SCHEDULED_JOBS) {
    const state = catalog.jobs.get(job.name);
    const scheduledBy = migrationsScheduling(job.name);
    const comingWith = scheduledBy.filter((f) => pending.includes(f));
    const needs = job.needs.filter((n) => !catalog.available[n as keyof typeof catalog.available]);
    let text: string;
    if (state) text = `present (${state.schedule}${state.active ? "" : ", INACTIVE"})`;
    else if (needs.length) {
      text = `not scheduled: this database does not offer ${needs.join(", ")}`;
      if (!localTarget) refusals.push(`pg_cron job ${job.name}: the database does not offer ${needs.join(", ")}`);
    } else if (comingWith.length) text = `scheduled by ${comingWith.join(", ")} (${job.schedule})`;
    else {
      text =
        "MISSING although applied (the extension came later): run `select * from voronka.schedule_jobs();` in the SQL editor";
      if (!localTarget) notes.push(`pg_cron job ${job.name} is missing: see step 5`);
    }
    say(`   ${job.name} (${job.schedule}, ${job.what}): ${text}`);
    if (job.vault.length) say(`      reads Vault: ${job.vault.join(", ")}`);
  }

  say();
  for (const note of notes) say(`Note: ${note}`);
  if (refusals.length) {
    say(`${dryRun ? "A real run would refuse" : "Refused, nothing changed"}:`);
    for (const refusal of refusals) say(`  ✗ ${refusal}`);
    process.exitCode = 1;
  } else if (dryRun) {
    say("Dry run complete: a real run would do the steps above (npm run deploy without --dry-run).");
  } else {
    await deploy(catalog);
  }
} finally {
  await sql.end({ timeout: 5 });
}

async function deploy(catalog: SchedulingCatalog): Promise<void> {
  if (!line.values.yes) {
    if (!process.stdin.isTTY) line.fail("changing a hosted project needs --yes when not run from a terminal");
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question(`Deploy the steps above to ${ref}? [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      say("Nothing changed.");
      return;
    }
  }
  // Checks the login and the ref before anything changes (read-only).
  await supabaseAttached(["secrets", "list", `--remote=${ref}`]);
  say("\n→ 1. migrations");
  await supabaseAttached(["db", "push", `--remote=${dbUrl}`, "--yes"]);
  say("\n→ 2. function secrets");
  const folder = mkdtempSync(path.join(os.tmpdir(), "voronka-deploy-"));
  try {
    const file = path.join(folder, ".env");
    writeFileSync(
      file,
      Object.entries(secrets)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}\n`)
        .join(""),
      { mode: 0o600 },
    );
    await supabaseAttached(["secrets", "set", "--env-file", file, `--remote=${ref}`, "--yes"]);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  say("\n→ 3. functions");
  await supabaseAttached(["functions", "deploy", `--remote=${ref}`, "--use-api", "--yes"]);
  say("\n→ 4. Vault secrets");
  for (const secret of vaultSecrets(ref, secrets)) {
    if (catalog.vaultNames.has(secret.name)) {
      await sql`select vault.update_secret(s.id, ${secret.value}) from vault.secrets as s where s.name = ${secret.name}`;
      say(`   updated ${secret.name}`);
    } else {
      await sql`select vault.create_secret(${secret.value}, ${secret.name})`;
      say(`   created ${secret.name}`);
    }
  }
  say("\n→ 5. pg_cron jobs");
  const after = await readSchedulingCatalog(sql);
  let missing = 0;
  for (const job of SCHEDULED_JOBS) {
    const state = after.jobs.get(job.name);
    if (!state) missing++;
    say(
      `   ${state ? "✓" : "✗"} ${job.name}${state ? ` (${state.schedule})` : ": missing, run `select * from voronka.schedule_jobs();` in the SQL editor"}`,
    );
  }
  say(
    `\nDeployed. Check it: npm run doctor -- --db-url <db-url> --functions-url https://${ref}.supabase.co/functions/v1`,
  );
  process.exitCode = missing ? 1 : 0;
}

/** [functions.<name>] verify_jwt from supabase/config.toml. */
function functionsVerifyJwt(): Map<string, boolean> {
  const text = readFileSync(path.join(PROJECT_ROOT, "supabase/config.toml"), "utf8");
  const result = new Map<string, boolean>();
  for (const [, name, body] of text.matchAll(/^\[functions\.([\w-]+)\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/gm)) {
    const match = body.match(/^\s*verify_jwt\s*=\s*(true|false)/m);
    result.set(name, match ? match[1] === "true" : true);
  }
  return result;
}
