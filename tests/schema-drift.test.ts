// supabase/schemas is the definition; supabase/migrations are the steps that deploy it. The two
// must never disagree: migrations applied to one empty database and the schema files applied to
// another are diffed by the Supabase CLI (pg-delta), and the diff must be empty.
import { mkdtemp, readFile, rm, writeFile, cp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { SCHEMAS_DIR, schemaDrift, schemaFiles, applySchemaFiles } from "../scripts/lib/declarative-schema.ts";
import { createDatabase, dropDatabase } from "../scripts/lib/database-setup.ts";
import { databaseUrl } from "../scripts/lib/local-postgres.ts";
import { diffDatabases } from "../scripts/lib/supabase-cli.ts";
import { serverUrl } from "./support/test-database.ts";

const server = { url: serverUrl(), urlFor: (database: string) => databaseUrl(inject("postgresPort"), database) };

describe("the declarative schema and the migrations", () => {
  it("build the same database: pg-delta finds nothing to change", async () => {
    expect(await schemaDrift(server)).toBe("");
  });

  it("a schema edit the migrations lack is found (the check can fail)", async () => {
    // The same files with one function's body changed, applied next to the originals.
    const edited = await mkdtemp(path.join(tmpdir(), "voronka-schemas-"));
    const databases = [`drift_a_${process.pid}`, `drift_b_${process.pid}`];
    try {
      await cp(SCHEMAS_DIR, edited, { recursive: true });
      const rates = schemaFiles(edited).find((file) => file.endsWith("_exchange_rates.sql"))!;
      const text = await readFile(rates, "utf8");
      await writeFile(
        rates,
        text.replace("when p_currency = s.reporting_currency then 1", "when p_currency = s.reporting_currency then 2"),
      );
      for (const name of databases) await createDatabase(server.url, name);
      await applySchemaFiles(server.urlFor(databases[0]));
      await applySchemaFiles(server.urlFor(databases[1]), edited);
      const diff = await diffDatabases(server.urlFor(databases[0]), server.urlFor(databases[1]));
      expect(diff).toContain("CREATE OR REPLACE FUNCTION analytics.reporting_rate");
      expect(diff).toContain("then 2");
    } finally {
      for (const name of databases) await dropDatabase(server.url, name);
      await rm(edited, { recursive: true, force: true });
    }
  });

  it("name every file by its area and apply in file-name order", () => {
    const names = schemaFiles().map((file) => path.basename(file));
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(name).toMatch(/^\d{2}_[a-z_]+\.sql$/);
    expect([...names].sort()).toEqual(names);
  });
});
