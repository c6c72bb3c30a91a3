// Analysts read the schema from psql / the SQL editor: every table, view and API function says
// what it is (COMMENT ON), and nothing in the private schemas is reachable by the API roles.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

it("documents every table, view and materialized view in voronka, inbox and analytics", async () => {
  const undocumented = await db.sql`
    select n.nspname || '.' || c.relname as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('voronka', 'inbox', 'analytics') and c.relkind in ('r', 'v', 'm', 'p')
      and obj_description(c.oid, 'pg_class') is null
    order by 1`;
  expect(undocumented.map((r) => r.name)).toEqual([]);
});

it("documents every function the API exposes", async () => {
  const undocumented = await db.sql`
    select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public' and obj_description(p.oid, 'pg_proc') is null`;
  expect(undocumented.map((r) => r.proname)).toEqual([]);
});

it("grants anon and authenticated nothing outside public", async () => {
  const grants = await db.sql`
    select table_schema || '.' || table_name || ' to ' || grantee as grant
    from information_schema.role_table_grants
    where grantee in ('anon', 'authenticated') and table_schema in ('voronka', 'inbox', 'analytics')`;
  expect(grants).toEqual([]);
  const functions = await db.sql`
    select n.nspname || '.' || p.proname as fn
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname in ('voronka', 'inbox', 'analytics')
      and (has_function_privilege('anon', p.oid, 'execute') or has_function_privilege('authenticated', p.oid, 'execute'))
      -- reachable only through schema usage, which the API roles do not have:
      and (has_schema_privilege('anon', n.oid, 'usage') or has_schema_privilege('authenticated', n.oid, 'usage'))`;
  expect(functions).toEqual([]);
});

it("enables row level security on every table", async () => {
  const open = await db.sql`
    select n.nspname || '.' || c.relname as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('public', 'voronka', 'inbox', 'analytics') and c.relkind = 'r' and not c.relrowsecurity`;
  expect(open.map((r) => r.name)).toEqual([]);
});
