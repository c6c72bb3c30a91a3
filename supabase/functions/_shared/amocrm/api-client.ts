// amoCRM API v4 client for enrichment and reconciliation: at most 7 requests/s (the
// per-integration limit; over it amoCRM answers 429 and, if abused, blocks the account with 403),
// exponential backoff on 429 and 5xx, `204 No Content` as an empty answer, and 401/402/403 as
// errors that stop the caller without touching data.
import { z } from "zod";

export type AmocrmApiLead = { id: number; updated_at?: number } & Record<string, unknown>;

export interface AmocrmLeadsPage {
  leads: AmocrmApiLead[];
  /** When the answer arrived: the page is the deals' state at that moment. */
  readAt: Date;
}

export interface AmocrmClient {
  /** The deal, or null when amoCRM has none (204/404). */
  getLead(id: number): Promise<{ lead: AmocrmApiLead; readAt: Date } | null>;
  /** Pages of deals updated since `from`, oldest first, following `_links.next`. */
  leadsUpdatedSince(from: Date): AsyncGenerator<AmocrmLeadsPage>;
}

export type AmocrmApiErrorCode =
  "unauthorized" | "payment_required" | "forbidden" | "rate_limited" | "http_error" | "bad_response" | "network";

export class AmocrmApiError extends Error {
  override name = "AmocrmApiError";
  constructor(
    readonly code: AmocrmApiErrorCode,
    readonly status: number | null,
    message: string,
  ) {
    super(message);
  }
  /** Token or account problems: retrying will not help until a human acts. */
  get isFatal(): boolean {
    return this.code === "unauthorized" || this.code === "forbidden" || this.code === "payment_required";
  }
}

export interface AmocrmClientOptions {
  baseUrl: string;
  accessToken: string;
  fetch?: typeof fetch;
  requestsPerSecond?: number;
  maxRetries?: number;
  sleep?: (ms: number) => Promise<void>;
  pageSize?: number;
}

const leadSchema = z.looseObject({ id: z.number().int(), updated_at: z.number().optional() });
const leadsPageSchema = z.looseObject({
  _links: z.looseObject({ next: z.looseObject({ href: z.string() }).optional() }).optional(),
  _embedded: z.looseObject({ leads: z.array(leadSchema) }),
});

export function createAmocrmClient(options: AmocrmClientOptions): AmocrmClient {
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const interval = 1000 / (options.requestsPerSecond ?? 7);
  const maxRetries = options.maxRetries ?? 5;
  const base = new URL(options.baseUrl);
  let nextSlot = 0;

  // Spaces request starts at least `interval` apart, across concurrent callers.
  async function takeSlot(): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, nextSlot);
    nextSlot = slot + interval;
    if (slot > now) await sleep(slot - now);
  }

  async function get(url: URL): Promise<{ body: unknown | null; readAt: Date; status: number }> {
    for (let attempt = 0; ; attempt++) {
      await takeSlot();
      let response: Response;
      try {
        response = await doFetch(url, {
          headers: { authorization: `Bearer ${options.accessToken}`, accept: "application/hal+json" },
        });
      } catch (error) {
        if (attempt >= maxRetries)
          throw new AmocrmApiError("network", null, `amoCRM unreachable: ${(error as Error).message}`);
        await sleep(backoff(attempt));
        continue;
      }
      const readAt = new Date();
      if (response.status === 204) return { body: null, readAt, status: 204 };
      if (response.ok) {
        try {
          return { body: await response.json(), readAt, status: response.status };
        } catch {
          throw new AmocrmApiError(
            "bad_response",
            response.status,
            `amoCRM answered ${url.pathname} with invalid JSON`,
          );
        }
      }
      const text = await response.text().catch(() => "");
      if (response.status === 401)
        throw new AmocrmApiError(
          "unauthorized",
          401,
          `amoCRM rejected the access token (401): expired or revoked. ${text.slice(0, 200)}`,
        );
      if (response.status === 402)
        throw new AmocrmApiError("payment_required", 402, `amoCRM account is not paid (402). ${text.slice(0, 200)}`);
      if (response.status === 403)
        throw new AmocrmApiError(
          "forbidden",
          403,
          `amoCRM refused access (403: API blocked or IP not allowed). ${text.slice(0, 200)}`,
        );
      if (response.status === 404) return { body: null, readAt, status: 404 };
      const retryable = response.status === 429 || response.status >= 500;
      if (!retryable || attempt >= maxRetries) {
        throw new AmocrmApiError(
          response.status === 429 ? "rate_limited" : "http_error",
          response.status,
          `amoCRM answered ${response.status} for ${url.pathname}: ${text.slice(0, 200)}`,
        );
      }
      // No Retry-After is documented: back off exponentially (1 s, 2 s, 4 s ... 30 s).
      await sleep(backoff(attempt));
    }
  }

  return {
    async getLead(id) {
      // with=contacts: the deal's contact ids identify its buyer (people.sql).
      const { body, readAt } = await get(new URL(`/api/v4/leads/${id}?with=contacts`, base));
      if (body === null) return null;
      const parsed = leadSchema.safeParse(body);
      if (!parsed.success) throw new AmocrmApiError("bad_response", 200, `amoCRM lead ${id} has an unexpected shape`);
      return { lead: parsed.data as AmocrmApiLead, readAt };
    },

    async *leadsUpdatedSince(from) {
      let url: URL | null = new URL("/api/v4/leads", base);
      url.search = new URLSearchParams({
        limit: String(options.pageSize ?? 250),
        page: "1",
        "filter[updated_at][from]": String(Math.floor(from.getTime() / 1000)),
        "order[updated_at]": "asc",
        with: "contacts",
      }).toString();
      while (url) {
        const { body, readAt }: { body: unknown | null; readAt: Date } = await get(url);
        if (body === null) return; // 204: no (more) deals
        const parsed = leadsPageSchema.safeParse(body);
        if (!parsed.success)
          throw new AmocrmApiError(
            "bad_response",
            200,
            `amoCRM leads page has an unexpected shape: ${parsed.error.message.slice(0, 200)}`,
          );
        yield { leads: parsed.data._embedded.leads as AmocrmApiLead[], readAt };
        const next: string | undefined = parsed.data._links?.next?.href;
        // Follow amoCRM's link, but only to the configured origin (never send the token elsewhere).
        url = next ? onConfiguredOrigin(new URL(next, base), base) : null;
      }
    },
  };
}

function backoff(attempt: number): number {
  return Math.min(1000 * 2 ** attempt, 30_000);
}

/** `url`'s path and query on `base`'s origin, whatever origin the link named. */
function onConfiguredOrigin(url: URL, base: URL): URL {
  return new URL(url.pathname + url.search, base);
}
