// The local stand-in for PostgREST's RPC endpoint, `/rest/v1/rpc/<function>`: what supabase-js's
// `supabase.rpc()` calls. Like PostgREST it verifies the JWT (HS256, the project's secret), runs
// each request in one transaction as the JWT's role (`set local role`, `request.jwt.claims`),
// calls the function of the exposed schema with named arguments from the JSON body (POST) or the
// query string (GET), answers its JSON, and forwards errors as `{code, details, hint, message}`
// with PostgREST's status codes. Only what the dashboards use: no filters, embedding or tables.
import type postgres from "postgres";
import { verifyJwt, type JwtClaims } from "./jwt.ts";
import { fromDatabaseError, pgrst, postgrestError } from "./postgrest-errors.ts";

export interface RestRpcConfig {
  /** A pool logged in as `authenticator` (the role PostgREST logs in as). */
  sql: postgres.Sql;
  jwtSecret: string;
  /** The exposed schema (config.toml [api] schemas). */
  schema?: string;
  /** config.toml [api] max_rows: set-returning functions answer at most this many rows. */
  maxRows?: number;
  anonRole?: string;
}

interface FunctionInfo {
  args: { name: string | null; type: string; required: boolean }[];
  returns_set: boolean;
  returns_void: boolean;
  volatility: "i" | "s" | "v";
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

/** Who the request runs as: PostgREST's JWT rules. An error Response when the JWT is bad. */
export function requestRole(
  request: Request,
  jwtSecret: string,
  anonRole = "anon",
): { role: string; claims: JwtClaims } | Response {
  const authorization = request.headers.get("authorization");
  if (!authorization) return { role: anonRole, claims: { role: anonRole } };
  const match = authorization.match(/^Bearer\s+(\S+)\s*$/i);
  const invalid = (code: string, message: string) =>
    postgrestError(
      401,
      { code, details: null, hint: null, message },
      { "www-authenticate": `Bearer error="invalid_token", error_description="${message}"` },
    );
  if (!match) return invalid("PGRST301", "Expected a Bearer token in the Authorization header");
  const result = verifyJwt(match[1], jwtSecret);
  if (!result.ok) {
    if (result.reason === "expired") return invalid("PGRST303", "JWT expired");
    return invalid(
      "PGRST301",
      result.reason === "malformed" ? "Expected 3 parts in JWT" : "JWT cryptographic operation failed",
    );
  }
  const role = result.claims.role;
  if (role !== undefined && typeof role !== "string") return invalid("PGRST301", "The JWT role claim must be a string");
  return { role: role || anonRole, claims: result.claims };
}

export function createRestRpcHandler(config: RestRpcConfig): (request: Request) => Promise<Response> {
  const schema = config.schema ?? "public";
  const maxRows = config.maxRows ?? 1000;
  const anonRole = config.anonRole ?? "anon";

  return async (request) => {
    const url = new URL(request.url);
    const name = decodeURIComponent(url.pathname.replace(/^\/rest\/v1\/rpc\//, ""));
    if (request.method !== "GET" && request.method !== "POST" && request.method !== "HEAD") {
      return pgrst(405, "PGRST101", "Only GET and POST verbs are allowed for functions");
    }
    const who = requestRole(request, config.jwtSecret, anonRole);
    if (who instanceof Response) return who;

    const args = await readArguments(request, url);
    if (args instanceof Response) return args;

    const anonymous = who.role === anonRole;
    try {
      const candidates = await findFunctions(config.sql, schema, name);
      const keys = Object.keys(args).sort();
      const fn = candidates.find(
        (f) =>
          keys.every((k) => f.args.some((a) => a.name === k)) &&
          f.args.every((a) => !a.required || keys.includes(a.name ?? "")),
      );
      if (!fn) {
        const signature = `${schema}.${name}(${keys.join(", ")})`;
        return pgrst(
          404,
          "PGRST202",
          `Could not find the function ${keys.length ? signature : `${schema}.${name} without parameters`} in the schema cache`,
          `Searched for the function ${schema}.${name}${keys.length ? ` with parameters ${keys.join(", ")}` : " without parameters"}, but no matches were found in the schema cache.`,
          candidates.length ? `Perhaps you meant to call the function ${schema}.${name}` : null,
        );
      }
      // GET, and functions declared STABLE or IMMUTABLE, run in a read-only transaction, as in PostgREST.
      const readOnly = request.method !== "POST" || fn.volatility !== "v";
      const body = await config.sql.begin(readOnly ? "read only" : "read write", async (tx) => {
        await tx.unsafe(`set local role ${quoteIdent(who.role)}`);
        await tx`select set_config('request.jwt.claims', ${JSON.stringify(who.claims)}, true),
                        set_config('request.method', ${request.method}, true),
                        set_config('request.path', ${url.pathname}, true)`;
        return callFunction(tx, schema, name, fn, args, keys, maxRows);
      });
      if (fn.returns_void) return new Response(null, { status: 204 });
      const headers: Record<string, string> = { ...JSON_HEADERS };
      if (fn.returns_set) {
        const count = (body.rows as number) ?? 0;
        headers["content-range"] = count ? `0-${count - 1}/*` : "*/*";
      }
      return new Response(request.method === "HEAD" ? null : body.json, { status: 200, headers });
    } catch (error) {
      return fromDatabaseError(error, anonymous);
    }
  };
}

/** Named arguments: the JSON object (or form fields) of a POST, the query string of a GET. */
async function readArguments(request: Request, url: URL): Promise<Record<string, unknown> | Response> {
  if (request.method !== "POST") return Object.fromEntries(url.searchParams);
  const type = request.headers.get("content-type") ?? "application/json";
  const text = await request.text();
  if (/^application\/x-www-form-urlencoded\b/i.test(type)) return Object.fromEntries(new URLSearchParams(text));
  if (!/^application\/json\b/i.test(type)) {
    return pgrst(415, "PGRST107", `None of these media types are available: ${type}`);
  }
  let args: unknown;
  try {
    args = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    return pgrst(400, "PGRST102", "Empty or invalid json");
  }
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    return pgrst(400, "PGRST102", "The body of a function call must be a JSON object of named arguments");
  }
  return args as Record<string, unknown>;
}

async function findFunctions(sql: postgres.Sql, schema: string, name: string): Promise<FunctionInfo[]> {
  const rows = await sql<FunctionInfo[]>`
    select p.provolatile as volatility, p.proretset as returns_set, p.prorettype = 'void'::regtype as returns_void,
           coalesce((
             select json_agg(json_build_object('name', a.name, 'type', format_type(a.type, null),
                                               'required', a.position <= p.pronargs - p.pronargdefaults)
                             order by a.position)
             from (
               select t.type, t.name, row_number() over (order by t.ord) as position
               from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]),
                           coalesce(p.proargmodes, array_fill('i'::"char", array[p.pronargs])),
                           coalesce(p.proargnames, array_fill(null::text, array[p.pronargs])))
                    with ordinality as t(type, mode, name, ord)
               where t.mode in ('i', 'b', 'v')
             ) as a
           ), '[]') as args
    from pg_catalog.pg_proc as p
    join pg_catalog.pg_namespace as n on n.oid = p.pronamespace
    where n.nspname = ${schema} and p.proname = ${name} and p.prokind = 'f'`;
  return rows.map((r) => ({ ...r, args: typeof r.args === "string" ? JSON.parse(r.args) : r.args }));
}

/**
 * `select fn(a := _.a, …) from json_to_record($1) as _(a type, …)`: the arguments are converted
 * from JSON by Postgres itself, as PostgREST does, so a bad value is Postgres's own 22P02 (400).
 */
async function callFunction(
  tx: postgres.TransactionSql,
  schema: string,
  name: string,
  fn: FunctionInfo,
  args: Record<string, unknown>,
  keys: string[],
  maxRows: number,
): Promise<{ json: string | null; rows?: number }> {
  const used = fn.args.filter((a) => a.name && keys.includes(a.name));
  const call = `${quoteIdent(schema)}.${quoteIdent(name)}(${used.map((a) => `${quoteIdent(a.name!)} := _.${quoteIdent(a.name!)}`).join(", ")})`;
  const record = `json_to_record($1::json) as _(${used.map((a) => `${quoteIdent(a.name!)} ${a.type}`).join(", ")})`;
  // postgres.js serialises a json parameter itself (JSON.stringify): pass the object.
  const params = used.length ? [args as postgres.JSONValue] : [];
  if (fn.returns_set) {
    const source = used.length ? `${record}, lateral ${call} as f` : `${call} as f`;
    const [row] = await tx.unsafe(
      `select coalesce(json_agg(r), '[]')::text as json, count(*)::int as rows
       from (select f.* from ${source} limit ${maxRows}) as r`,
      params,
    );
    return { json: row.json, rows: row.rows };
  }
  const from = used.length ? ` from ${record}` : "";
  if (fn.returns_void) {
    await tx.unsafe(`select ${call}${from}`, params);
    return { json: null };
  }
  const [row] = await tx.unsafe(`select to_json(${call})::text as json${from}`, params);
  return { json: row.json ?? "null" };
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
