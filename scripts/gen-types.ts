// npm run gen:types: regenerate supabase/types/database.types.ts from the migrations.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { renderDatabaseTypes } from "./lib/database-types.ts";
import { DATABASE_TYPES_FILE } from "./lib/paths.ts";
import { withScratchDatabase } from "./lib/scratch-database.ts";
import { parseCommandLine, usageFromHeader } from "./lib/command-line.ts";

parseCommandLine("gen:types", usageFromHeader("gen:types", import.meta.url), {});

const port = Number(process.env.VORONKA_SCRATCH_PG_PORT ?? 54385);
const types = await withScratchDatabase(port, (server) => renderDatabaseTypes(server.url));
await mkdir(path.dirname(DATABASE_TYPES_FILE), { recursive: true });
await writeFile(DATABASE_TYPES_FILE, types);
console.log(`wrote ${path.relative(process.cwd(), DATABASE_TYPES_FILE)}`);
