// `deno check` every Edge Function with its own deno.json, as the hosted bundler would see it.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { denoBinary, functionNames } from "./lib/functions-server.ts";
import { FUNCTIONS_DIR } from "./lib/paths.ts";
import { parseCommandLine, usageFromHeader } from "./lib/command-line.ts";

parseCommandLine("check:functions", usageFromHeader("check:functions", import.meta.url), {});

let failed = 0;
for (const name of functionNames()) {
  const dir = path.join(FUNCTIONS_DIR, name);
  const result = spawnSync(
    denoBinary(),
    ["check", "--quiet", "--config", path.join(dir, "deno.json"), path.join(dir, "index.ts")],
    {
      stdio: "inherit",
    },
  );
  if (result.status !== 0) failed++;
  else console.log(`deno check ${name}: ok`);
}
process.exit(failed ? 1 : 0);
