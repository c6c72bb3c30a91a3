// A local fake of amoCRM API v4, speaking its wire format: bearer auth (401 otherwise),
// GET /api/v4/account, GET /api/v4/leads/{id} and GET /api/v4/leads?limit&page&filter[updated_at][from]&order[updated_at]=asc
// as application/hal+json with `_links.next` paging, `204 No Content` for an empty answer, and
// injectable failures (429 bursts, 401, 5xx). Used by the tests; `npm run fake:amocrm` runs it
// on its own (point AMOCRM_BASE_URL at it).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { parseCommandLine } from "../lib/command-line.ts";

export interface FakeApiLead {
  id: number;
  name?: string;
  price: number;
  status_id: number;
  pipeline_id: number;
  created_at: number;
  updated_at: number;
  closed_at?: number | null;
  is_deleted?: boolean;
  account_id?: number;
  custom_fields_values?:
    | {
        field_id: number;
        field_name: string;
        field_code?: string | null;
        field_type?: string;
        values: { value: string; enum_id?: number }[];
      }[]
    | null;
}

export interface FakeAmocrmApi {
  url: string;
  leads: Map<number, FakeApiLead>;
  /** Every request: method, path with query, and when. */
  requests: { method: string; url: string; at: number }[];
  /** The next `times` requests answer `status` (e.g. 429) instead of the real answer. */
  failNext(status: number, times?: number): void;
  setToken(token: string): void;
  upsert(...leads: FakeApiLead[]): void;
  stop(): Promise<void>;
}

export async function startFakeAmocrmApi(options: {
  port?: number;
  token: string;
  leads?: FakeApiLead[];
  maxPageSize?: number;
}): Promise<FakeAmocrmApi> {
  let token = options.token;
  const leads = new Map<number, FakeApiLead>((options.leads ?? []).map((l) => [l.id, l]));
  const requests: FakeAmocrmApi["requests"] = [];
  const failures: number[] = [];
  const maxPageSize = options.maxPageSize ?? 250;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    requests.push({ method: req.method ?? "GET", url: url.pathname + url.search, at: Date.now() });
    const send = (status: number, body?: unknown) => {
      if (body === undefined) {
        res.writeHead(status);
        res.end();
        return;
      }
      res.writeHead(status, { "content-type": status < 400 ? "application/hal+json" : "application/problem+json" });
      res.end(JSON.stringify(body));
    };
    const injected = failures.shift();
    if (injected !== undefined) {
      return send(injected, {
        title: http.STATUS_CODES[injected],
        type: "https://httpstatus.es/" + injected,
        status: injected,
        detail: "injected by the fake",
      });
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      return send(401, {
        title: "Unauthorized",
        type: "https://httpstatus.es/401",
        status: 401,
        detail: "Неверный логин или пароль",
      });
    }
    if (req.method !== "GET") return send(405, { title: "Method Not Allowed", status: 405 });

    const one = url.pathname.match(/^\/api\/v4\/leads\/(\d+)$/);
    if (one) {
      const lead = leads.get(Number(one[1]));
      // amoCRM answers 204 for a lead it does not have (deleted or never existed).
      return lead ? send(200, apiLead(lead, url.origin)) : send(204);
    }
    if (url.pathname === "/api/v4/account") {
      return send(200, {
        id: 31000001,
        name: "Voronka demo",
        subdomain: "voronka-demo",
        created_at: 1700000000,
        current_user_id: 1,
        country: "KZ",
        currency: "KZT",
        _links: { self: { href: `${url.origin}/api/v4/account` } },
      });
    }
    if (url.pathname === "/api/v4/leads") {
      const limit = Math.min(Number(url.searchParams.get("limit") ?? 50), maxPageSize);
      const page = Math.max(Number(url.searchParams.get("page") ?? 1), 1);
      const from = Number(url.searchParams.get("filter[updated_at][from]") ?? 0);
      const matching = [...leads.values()]
        .filter((l) => l.updated_at >= from)
        .sort((a, b) => a.updated_at - b.updated_at || a.id - b.id);
      const slice = matching.slice((page - 1) * limit, page * limit);
      if (slice.length === 0) return send(204);
      const pageUrl = (n: number) => {
        const u = new URL(url);
        u.searchParams.set("page", String(n));
        return u.toString();
      };
      return send(200, {
        _page: page,
        _links: {
          self: { href: pageUrl(page) },
          ...(page * limit < matching.length ? { next: { href: pageUrl(page + 1) } } : {}),
        },
        _embedded: { leads: slice.map((l) => apiLead(l, url.origin)) },
      });
    }
    send(404, { title: "Not Found", status: 404 });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    leads,
    requests,
    failNext(status, times = 1) {
      for (let i = 0; i < times; i++) failures.push(status);
    },
    setToken(t) {
      token = t;
    },
    upsert(...list) {
      for (const lead of list) leads.set(lead.id, lead);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// The lead as API v4 returns it: nulls where amoCRM has none, embedded tags/contacts.
function apiLead(lead: FakeApiLead, origin: string) {
  return {
    id: lead.id,
    name: lead.name ?? `Deal ${lead.id}`,
    price: lead.price,
    responsible_user_id: 8000001,
    group_id: 0,
    status_id: lead.status_id,
    pipeline_id: lead.pipeline_id,
    loss_reason_id: null,
    created_by: 8000001,
    updated_by: 8000001,
    created_at: lead.created_at,
    updated_at: lead.updated_at,
    closed_at: lead.closed_at ?? null,
    closest_task_at: null,
    is_deleted: lead.is_deleted ?? false,
    custom_fields_values: lead.custom_fields_values ?? null,
    score: null,
    account_id: lead.account_id ?? 31000001,
    labor_cost: null,
    _links: { self: { href: `${origin}/api/v4/leads/${lead.id}` } },
    _embedded: { tags: [], companies: [] },
  };
}

/** UTM tracking fields as amoCRM's tracking_data fields look in API v4. */
export function trackingFields(
  utm: Partial<Record<"utm_source" | "utm_medium" | "utm_campaign" | "utm_content" | "utm_term", string>>,
) {
  const ids = { utm_source: 900001, utm_medium: 900002, utm_campaign: 900003, utm_content: 900004, utm_term: 900005 };
  return Object.entries(utm).map(([name, value]) => ({
    field_id: ids[name as keyof typeof ids],
    field_name: name,
    field_code: name.toUpperCase(),
    field_type: "tracking_data",
    values: [{ value: value as string }],
  }));
}

// `npm run fake:amocrm`: a fake account with a few demo deals (pipelines of the demo seed).
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  parseCommandLine(
    "fake:amocrm",
    `Usage: npm run fake:amocrm
A fake amoCRM API v4 with a few demo deals, until Ctrl-C. Environment: FAKE_AMOCRM_PORT (54380),
AMOCRM_ACCESS_TOKEN (the token it accepts; default fake-amocrm-token).`,
    {},
  );
  const now = Math.floor(Date.now() / 1000);
  const token = process.env.AMOCRM_ACCESS_TOKEN ?? "fake-amocrm-token";
  const fake = await startFakeAmocrmApi({
    port: Number(process.env.FAKE_AMOCRM_PORT ?? 54380),
    token,
    leads: [
      {
        id: 5000001,
        price: 0,
        status_id: 10000001,
        pipeline_id: 7000001,
        created_at: now - 7200,
        updated_at: now - 7200,
        custom_fields_values: trackingFields({ utm_source: "facebook", utm_campaign: "kenesary_proftest" }),
      },
      {
        id: 5000002,
        price: 5000,
        status_id: 142,
        pipeline_id: 7000002,
        created_at: now - 5400,
        updated_at: now - 3600,
        closed_at: now - 3600,
        custom_fields_values: trackingFields({ utm_source: "facebook", utm_campaign: "kenesary_express" }),
      },
      {
        id: 5000003,
        price: 490000,
        status_id: 142,
        pipeline_id: 7000003,
        created_at: now - 5000,
        updated_at: now - 1800,
        closed_at: now - 1800,
        custom_fields_values: trackingFields({ utm_source: "instagram", utm_campaign: "traf4_flagman" }),
      },
    ],
  });
  console.log(`Fake amoCRM API v4 on ${fake.url} (token ${JSON.stringify(token)}). Set in supabase/functions/.env:`);
  console.log(`  AMOCRM_BASE_URL=${fake.url}\n  AMOCRM_ACCESS_TOKEN=${token}`);
  console.log("Ctrl+C to stop.");
  const stop = () => void fake.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
