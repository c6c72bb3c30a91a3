// A local fake of the Graph API endpoints the sync uses, speaking Graph's wire format: paged
// `{data, paging}` with `next` URLs that carry the token (like Graph's), string metrics, usage
// headers, and Graph's error envelope. Faults can be injected from code or over HTTP
// (POST /_fake/faults) to reproduce expired tokens, throttling, transient errors, "reduce the
// amount of data" and slow responses.
import { createHmac } from "node:crypto";
import http from "node:http";
import { type Fault, faultResponse, graphError } from "./faults.ts";
import { cursor, days, offsetOf, pick } from "./paging.ts";
import { type FakeAccount, type FakeMetrics, type FakeScenario, metricsFor } from "./scenario.ts";

export type { Fault, FaultKind } from "./faults.ts";

export interface RecordedRequest {
  path: string;
  query: Record<string, string>;
  status: number;
}

export interface FakeGraphOptions {
  scenario: FakeScenario;
  accessToken: string;
  appSecret?: string;
  /** 0 = any free port. */
  port?: number;
  /** Latency added to every response. */
  latencyMs?: number;
  /** Keep only counters, not every request (the benchmark). */
  recordRequests?: boolean;
  /** What GET /debug_token says of the token: expires_at (unix seconds, 0 = never) and scopes. */
  token?: { expiresAt?: number; scopes?: string[] };
}

export interface FakeGraph {
  url: string;
  port: number;
  scenario: FakeScenario;
  requests: RecordedRequest[];
  stats: { requests: number; rows: number };
  inject(fault: Fault): void;
  clearFaults(): void;
  setMetrics(adId: string, day: string, metrics: FakeMetrics | null): void;
  setLatency(ms: number): void;
  stop(): Promise<void>;
}

export async function startFakeGraph(options: FakeGraphOptions): Promise<FakeGraph> {
  const faults: (Fault & { left: number })[] = [];
  let latencyMs = options.latencyMs ?? 0;
  const record = options.recordRequests ?? true;
  const requests: RecordedRequest[] = [];
  const stats = { requests: 0, rows: 0 };
  const scenario = options.scenario;

  const accountJson = (account: FakeAccount, fields: string[] | null) =>
    pick(
      {
        id: `act_${account.id}`,
        account_id: account.id,
        name: account.name,
        account_status: account.account_status,
        currency: account.currency,
        timezone_name: account.timezone_name,
        timezone_offset_hours_utc: account.timezone_name === "America/Los_Angeles" ? -8 : 5,
        business: account.business,
      },
      fields,
    );

  /** One page as Graph pages it: `{"data": []}` for an empty edge, `next` only when more follow. */
  const pageOf = (data: unknown[], offset: number, total: number, query: URLSearchParams, base: string) => {
    if (total === 0) return { data: [] };
    const end = offset + data.length;
    const paging: Record<string, unknown> = { cursors: { before: cursor(offset), after: cursor(end) } };
    if (end < total) {
      const next = new URLSearchParams(query);
      next.set("after", cursor(end));
      paging.next = `${base}?${next.toString()}`;
    }
    return { data, paging };
  };

  const paged = (items: unknown[], query: URLSearchParams, base: string) => {
    const limit = Math.max(1, Number(query.get("limit") ?? 25));
    const offset = offsetOf(query.get("after"));
    return pageOf(items.slice(offset, offset + limit), offset, items.length, query, base);
  };

  const matchFault = (path: string, query: URLSearchParams): Fault | undefined => {
    for (const fault of faults) {
      if (fault.left <= 0) continue;
      if (fault.path && !path.includes(fault.path)) continue;
      if (fault.kind === "reduce_data") {
        const range = query.get("time_range");
        const span = range ? days(JSON.parse(range).since, JSON.parse(range).until).length : 0;
        if (fault.whenDaysOver !== undefined && span <= fault.whenDaysOver) continue;
        if (fault.whenLimitOver !== undefined && Number(query.get("limit") ?? 25) <= fault.whenLimitOver) continue;
      }
      fault.left--;
      return fault;
    }
    return undefined;
  };

  const handle = async (
    req: http.IncomingMessage,
  ): Promise<{ status: number; body: unknown; headers: Record<string, string> }> => {
    const url = new URL(req.url ?? "/", "http://fake");
    const query = url.searchParams;
    const match = url.pathname.match(/^\/(v\d+\.\d+)\/(.+)$/);
    if (!match)
      return {
        status: 400,
        body: graphError({ message: "Unknown path components", type: "OAuthException", code: 2500 }),
        headers: {},
      };
    const [, version, path] = match;
    const base = `http://${req.headers.host}/${version}/${path}`;
    const accountMatch = path.match(/^act_(\d+)/);
    const accountId = accountMatch?.[1];
    const pct = accountId ? (scenario.usage_pct?.[accountId] ?? 5) : 5;
    const headers: Record<string, string> = {
      "facebook-api-version": version,
      "x-app-usage": JSON.stringify({ call_count: 1, total_cputime: 0, total_time: 0 }),
    };
    if (accountId) {
      headers["x-ad-account-usage"] = JSON.stringify({ acc_id_util_pct: pct });
      headers["x-business-use-case-usage"] = JSON.stringify({
        [accountId]: [
          {
            type: "ads_insights",
            call_count: pct,
            total_cputime: 1,
            total_time: 1,
            estimated_time_to_regain_access: 0,
          },
        ],
      });
    }

    if (query.get("access_token") !== options.accessToken) {
      return {
        status: 400,
        body: graphError({
          message: "Invalid OAuth access token - Cannot parse access token",
          type: "OAuthException",
          code: 190,
        }),
        headers,
      };
    }
    if (options.appSecret) {
      const proof = query.get("appsecret_proof");
      if (!proof) {
        return {
          status: 400,
          body: graphError({
            message: "API calls from the server require an appsecret_proof argument",
            type: "GraphMethodException",
            code: 100,
          }),
          headers,
        };
      }
      const expected = createHmac("sha256", options.appSecret).update(options.accessToken).digest("hex");
      if (proof !== expected) {
        return {
          status: 400,
          body: graphError({
            message: "Invalid appsecret_proof provided in the API argument",
            type: "GraphMethodException",
            code: 100,
          }),
          headers,
        };
      }
    }

    const fault = matchFault(path, query);
    if (fault) {
      const answer = await faultResponse(fault, accountId, headers);
      if (answer) return answer;
    }

    const fields = query.get("fields")?.split(",") ?? null;
    if (path === "debug_token") {
      // Graph's token inspection: a valid token describes itself; any other input_token is
      // described as invalid (HTTP 200, error inside data), as Graph does.
      const input = query.get("input_token");
      const expiresAt = options.token?.expiresAt ?? 0;
      const valid = input === options.accessToken && (expiresAt === 0 || expiresAt * 1000 > Date.now());
      const data = valid
        ? {
            app_id: "100000000000001",
            type: "SYSTEM_USER",
            application: "Voronka fake",
            data_access_expires_at: 0,
            expires_at: expiresAt,
            is_valid: true,
            issued_at: Math.floor(Date.now() / 1000) - 86_400,
            scopes: options.token?.scopes ?? ["ads_read", "business_management", "read_insights"],
            user_id: "100000000000002",
          }
        : {
            error: {
              code: 190,
              message: input === options.accessToken ? "Session has expired" : "Invalid OAuth access token.",
              subcode: input === options.accessToken ? 463 : undefined,
            },
            is_valid: false,
            expires_at: input === options.accessToken ? expiresAt : 0,
            scopes: [],
          };
      return { status: 200, body: { data }, headers };
    }
    if (path === "me/businesses") {
      return {
        status: 200,
        body: paged(
          scenario.businesses.map((b) => pick({ id: b.id, name: b.name }, fields)),
          query,
          base,
        ),
        headers,
      };
    }
    const edge = path.match(/^(\d+)\/(owned_ad_accounts|client_ad_accounts)$/);
    if (edge) {
      const business = scenario.businesses.find((b) => b.id === edge[1]);
      if (!business)
        return {
          status: 400,
          body: graphError({
            message: `Unsupported get request. Object with ID '${edge[1]}' does not exist`,
            type: "GraphMethodException",
            code: 100,
            error_subcode: 33,
          }),
          headers,
        };
      const ids = edge[2] === "owned_ad_accounts" ? business.owned : business.client;
      const items = ids.filter((id) => scenario.accounts[id]).map((id) => accountJson(scenario.accounts[id], fields));
      return { status: 200, body: paged(items, query, base), headers };
    }
    if (path === "me/adaccounts") {
      const items = scenario.me_adaccounts
        .filter((id) => scenario.accounts[id])
        .map((id) => accountJson(scenario.accounts[id], fields));
      return { status: 200, body: paged(items, query, base), headers };
    }
    const insights = path.match(/^act_(\d+)\/insights$/);
    if (insights) {
      const account = scenario.accounts[insights[1]];
      if (!account)
        return {
          status: 400,
          body: graphError({
            message: `Unsupported get request. Object with ID 'act_${insights[1]}' does not exist`,
            type: "GraphMethodException",
            code: 100,
            error_subcode: 33,
          }),
          headers,
        };
      if (query.get("level") !== "ad" || query.get("time_increment") !== "1") {
        return {
          status: 400,
          body: graphError({
            message: "(#100) the fake only serves level=ad&time_increment=1",
            type: "OAuthException",
            code: 100,
          }),
          headers,
        };
      }
      const range = JSON.parse(query.get("time_range") ?? "null") as { since: string; until: string } | null;
      if (!range?.since || !range?.until)
        return {
          status: 400,
          body: graphError({ message: "(#100) time_range is required", type: "OAuthException", code: 100 }),
          headers,
        };
      const limit = Math.max(1, Number(query.get("limit") ?? 25));
      const offset = offsetOf(query.get("after"));
      // Rows are produced lazily for the requested page only (the benchmark asks for millions).
      const pageRows: unknown[] = [];
      let total = 0;
      for (const day of days(range.since, range.until)) {
        for (const ad of account.ads) {
          const m = metricsFor(scenario, ad.id, day);
          if (!m) continue;
          if (total >= offset && pageRows.length < limit) {
            const row = {
              account_id: account.id,
              account_currency: account.currency,
              campaign_id: ad.campaign_id,
              campaign_name: ad.campaign_name,
              adset_id: ad.adset_id,
              adset_name: ad.adset_name,
              ad_id: ad.id,
              ad_name: ad.name,
              spend: m.spend,
              impressions: m.impressions,
              clicks: m.clicks,
              inline_link_clicks: m.inline_link_clicks,
              date_start: day,
              date_stop: day,
            };
            pageRows.push(pick(row, fields));
          }
          total++;
        }
      }
      stats.rows += pageRows.length;
      return { status: 200, body: pageOf(pageRows, offset, total, query, base), headers };
    }
    return {
      status: 400,
      body: graphError({ message: `Unknown path components: /${path}`, type: "OAuthException", code: 2500 }),
      headers,
    };
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    if (url.pathname === "/_fake/faults") {
      let text = "";
      req.on("data", (c) => (text += c));
      req.on("end", () => {
        if (req.method === "DELETE") faults.length = 0;
        else if (req.method === "POST") fake.inject(JSON.parse(text || "{}") as Fault);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ faults: faults.filter((f) => f.left > 0) }));
      });
      return;
    }
    if (url.pathname === "/_fake/stats") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(stats));
      return;
    }
    stats.requests++;
    const started = Date.now();
    handle(req)
      .then(async ({ status, body, headers }) => {
        const wait = latencyMs - (Date.now() - started);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (record) {
          requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), status });
        }
        res.writeHead(status, {
          "content-type": typeof body === "string" ? "text/html" : "application/json; charset=UTF-8",
          ...headers,
        });
        res.end(typeof body === "string" ? body : JSON.stringify(body));
      })
      .catch((error) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify(graphError({ message: String(error), type: "FakeError", code: 1 })));
      });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const port = (server.address() as { port: number }).port;

  const fake: FakeGraph = {
    url: `http://127.0.0.1:${port}`,
    port,
    scenario,
    requests,
    stats,
    inject(fault) {
      faults.push({ ...fault, left: fault.times ?? Number.POSITIVE_INFINITY });
    },
    clearFaults() {
      faults.length = 0;
    },
    setMetrics(adId, day, metrics) {
      scenario.metrics.set(`${adId}:${day}`, metrics);
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
