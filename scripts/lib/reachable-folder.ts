// Whether another account (Postgres's, when we run as root) can enter a folder: every folder from
// it up to / must have the "others may search" bit.
import { existsSync, statSync } from "node:fs";
import path from "node:path";

export function enterableByOthers(folder: string): boolean {
  for (let dir = folder; ; dir = path.dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) return false;
    if (dir === path.dirname(dir)) return true;
  }
}
