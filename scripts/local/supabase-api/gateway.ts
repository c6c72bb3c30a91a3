// The local stand-in for the API gateway of a Supabase project (Kong on hosted and `supabase
// start`): `/rest/v1/rpc/*` (PostgREST, rest-rpc.ts), `/auth/v1/*` (GoTrue, auth-server.ts), both
// behind the `apikey` check and CORS, and the dashboard's static build at `/`. `/functions/v1/*`
// stays with the functions server, which hands everything else to this handler.
import postgres from "postgres";
import { createAuthHandler } from "./auth-server.ts";
import { createDashboardHandler } from "./dashboard-files.ts";
import { apiKeys, verifyJwt } from "./jwt.ts";
import { pgrst } from "./postgrest-errors.ts";
import { createRestRpcHandler } from "./rest-rpc.ts";

export interface SupabaseApiOptions {
  /** The database, as its owner (the URL of the local stack). */
  databaseUrl: string;
  jwtSecret: string;
  /** The gateway's own URL (tokens' issuer). */
  publicUrl: string;
  /** The dashboard's build folder. */
  dashboardDir: string;
  jwtExpirySeconds?: number;
}

export interface SupabaseApi {
  handler: (request: Request) => Promise<Response>;
  anonKey: string;
  serviceRoleKey: string;
  close(): Promise<void>;
}

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers":
    "authorization, x-client-info, apikey, content-type, x-supabase-api-version, prefer, accept-profile, content-profile, range",
  "access-control-allow-methods": "GET, HEAD, POST, PATCH, PUT, DELETE, OPTIONS",
  "access-control-expose-headers": "content-range, x-supabase-api-version",
};

/** PostgREST logs in as `authenticator` and switches role per request; this URL does the same. */
export function authenticatorUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.username = "authenticator";
  url.password = "postgres";
  return url.toString();
}

export function createSupabaseApi(options: SupabaseApiOptions): SupabaseApi {
  const keys = apiKeys(options.jwtSecret);
  const restSql = postgres(authenticatorUrl(options.databaseUrl), { max: 8, onnotice: () => {}, connect_timeout: 5 });
  const authSql = postgres(options.databaseUrl, { max: 4, onnotice: () => {}, connect_timeout: 5 });
  const rest = createRestRpcHandler({ sql: restSql, jwtSecret: options.jwtSecret });
  const auth = createAuthHandler({
    sql: authSql,
    jwtSecret: options.jwtSecret,
    siteUrl: options.publicUrl,
    jwtExpirySeconds: options.jwtExpirySeconds,
  });
  const dashboard = createDashboardHandler({
    dir: options.dashboardDir,
    config: { supabaseUrl: "", supabaseAnonKey: keys.anon },
  });

  const withCors = (response: Response) => {
    const headers = new Headers(response.headers);
    for (const [name, value] of Object.entries(CORS)) headers.set(name, value);
    return new Response(response.body, { status: response.status, headers });
  };
  const gatewayError = (status: number, body: Record<string, string>) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });

  const handler = async (request: Request): Promise<Response> => {
    const { pathname, searchParams } = new URL(request.url);
    const api = pathname.startsWith("/rest/v1/") || pathname.startsWith("/auth/v1/");
    if (!api) return dashboard(request);
    if (request.method === "OPTIONS") return withCors(new Response(null, { status: 204 }));
    // The gateway's key check: every API request carries the project's anon or service_role key.
    const apikey = request.headers.get("apikey") ?? searchParams.get("apikey");
    if (!apikey) return withCors(gatewayError(401, { message: "No API key found in request" }));
    const key = verifyJwt(apikey, options.jwtSecret);
    if (!key.ok || (key.claims.role !== "anon" && key.claims.role !== "service_role")) {
      return withCors(
        gatewayError(401, {
          message: "Invalid API key",
          hint: "Double check your Supabase `anon` or `service_role` API key.",
        }),
      );
    }
    try {
      if (pathname.startsWith("/auth/v1/")) return withCors(await auth(request));
      if (pathname.startsWith("/rest/v1/rpc/")) return withCors(await rest(request));
      const table = pathname.replace(/^\/rest\/v1\/?/, "");
      return withCors(
        pgrst(
          404,
          "PGRST205",
          `Could not find the table 'public.${table}' in the schema cache`,
          null,
          "The local stand-in serves only /rest/v1/rpc/<function>; public has no tables for the API.",
        ),
      );
    } catch (error) {
      // The auth tables unreachable (database down): retry later, like GoTrue's 5xx.
      return withCors(gatewayError(503, { message: `database unavailable: ${(error as Error).message}` }));
    }
  };

  return {
    handler,
    anonKey: keys.anon,
    serviceRoleKey: keys.serviceRole,
    async close() {
      await Promise.all([restSql.end({ timeout: 2 }), authSql.end({ timeout: 2 })]);
    },
  };
}
