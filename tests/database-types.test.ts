// The committed API types must match what `supabase gen types` makes of the migrations.
import { readFile } from "node:fs/promises";
import { inject, expect, it } from "vitest";
import { renderDatabaseTypes } from "../scripts/lib/database-types.ts";
import { DATABASE_TYPES_FILE } from "../scripts/lib/paths.ts";
import { databaseUrl } from "../scripts/lib/local-postgres.ts";

it("supabase/types/database.types.ts is up to date (run `npm run gen:types` after changing public functions)", async () => {
  const generated = await renderDatabaseTypes(databaseUrl(inject("postgresPort"), inject("templateDatabase")));
  const committed = await readFile(DATABASE_TYPES_FILE, "utf8");
  expect(committed).toBe(generated);
});
