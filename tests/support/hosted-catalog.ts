// pg_cron and Supabase Vault are not in the embedded Postgres. To exercise what `npm run doctor` and
// `npm run deploy` read of them, a test database gets tables with the columns those extensions
// create (pg_cron 1.6: cron.job, cron.job_run_details; supabase_vault: vault.secrets) and rows as
// they would hold them. Only the reading is exercised: nothing here runs jobs or encrypts secrets.
import type { Sql } from "./test-database.ts";

export async function createHostedCatalogStandIn(sql: Sql): Promise<void> {
  await sql.unsafe(`
    create schema cron;
    create table cron.job (
      jobid bigserial primary key, schedule text not null, command text not null,
      nodename text not null default 'localhost', nodeport integer not null default 5432,
      database text not null default current_database(), username text not null default current_user,
      active boolean not null default true, jobname text);
    create table cron.job_run_details (
      jobid bigint, runid bigserial primary key, job_pid integer, database text, username text,
      command text, status text, return_message text, start_time timestamptz, end_time timestamptz);
    create schema vault;
    create table vault.secrets (
      id uuid primary key default gen_random_uuid(), name text unique, description text not null default '',
      secret text not null, key_id uuid, nonce bytea,
      created_at timestamptz not null default now(), updated_at timestamptz not null default now());
  `);
}

/** A job as cron.schedule leaves it, with its runs: [status, start time, message]. */
export async function addCronJob(
  sql: Sql,
  name: string,
  schedule: string,
  options: { active?: boolean; runs?: [string, string, string?][] } = {},
): Promise<void> {
  const [job] = await sql`
    insert into cron.job (schedule, command, jobname, active)
    values (${schedule}, 'select 1', ${name}, ${options.active ?? true}) returning jobid`;
  for (const [status, start, message] of options.runs ?? []) {
    await sql`
      insert into cron.job_run_details (jobid, status, return_message, start_time, end_time, command)
      values (${job.jobid}, ${status}, ${message ?? "1 row"}, ${start}::timestamptz,
              ${start}::timestamptz + interval '2 seconds', 'select 1')`;
  }
}
