// The one way functions read their settings: entry files (index.ts) pass their environment map
// (Deno.env.toObject()); terminal tools and tests pass process.env or a plain object. A reader
// returns typed values: an unset (or blank) variable is null or its default, a malformed one
// throws ConfigError naming the variable and what it must look like. Entry files answer every
// request with 503 `not_configured` and that message rather than fail to boot (entry.ts).

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** The variable's value, trimmed; null when unset or blank. */
export function text(env: Env, name: string): string | null {
  const value = env[name]?.trim();
  return value ? value : null;
}

/** A whole number between 1 and `max`; `fallback` when unset. */
export function positiveInteger(env: Env, name: string, fallback: number, max = 1e9): number {
  const raw = text(env, name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new ConfigError(`${name} must be a whole number between 1 and ${max}, got "${raw}"`);
  }
  return value;
}

/** An http(s) URL without a trailing slash; `fallback` when unset. */
export function httpUrl(env: Env, name: string, fallback: string | null): string | null {
  const raw = text(env, name);
  if (raw === null) return fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`${name} must be an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, "");
}
