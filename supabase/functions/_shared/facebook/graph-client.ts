// A small Graph API client: adds the token (and appsecret_proof) to each request, retries
// transient failures with backoff, turns error bodies into GraphError, reads usage headers and
// follows paging. URLs with the token exist only inside `send`; errors and logs carry paths.
import { classifyGraphError, GraphError, type GraphErrorBody, redact } from "./graph-errors.ts";
import { scanGraphPage } from "./page-scan.ts";
import { parseUsage, type Usage } from "./usage.ts";

export interface GraphClientOptions {
  graphUrl: string;
  version: string;
  accessToken: string;
  appSecret?: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch (injectable for tests). */
  now?: () => number;
  requestTimeoutMs: number;
  maxRetries: number;
  retryBaseMs: number;
  log?: (line: string) => void;
}

export interface RequestOptions {
  /** Epoch ms after which no request starts (the run's budget). */
  deadline?: number;
  /** Ad account (digits) whose usage entries matter. */
  accountId?: string;
  /** Called for every request sent (retries included). */
  onRequest?: () => void;
}

export interface GraphPage<T> {
  data: T[];
  usage: Usage;
  /** True when Graph sent paging.next (more pages follow). */
  hasNext: boolean;
}

/**
 * A page as received: the body's text (whose `data` a caller stores as is: its numbers never
 * become JavaScript floats, nothing is parsed into objects or serialised again) and its row count.
 */
export interface RawGraphPage {
  text: string;
  rows: number;
  usage: Usage;
  hasNext: boolean;
}

interface Received<T> {
  body: T;
  usage: Usage;
  text: string;
  /** Set when the body was scanned instead of parsed (`body` then holds only `paging`). */
  rows?: number;
}

/** The run's time budget ran out before a request could start or finish. */
export class BudgetExceededError extends Error {
  constructor() {
    super("time budget exhausted");
    this.name = "BudgetExceededError";
  }
}

/** Lowercase hex HMAC-SHA256 of the access token keyed by the app secret (Web Crypto). */
export async function appSecretProof(accessToken: string, appSecret: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(appSecret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(accessToken)));
  return Array.from(signature, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class GraphClient {
  /** Requests sent, retries included. */
  requests = 0;
  private proof?: Promise<string>;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: GraphClientOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? (() => Date.now());
  }

  private url(path: string, params: Record<string, string>): URL {
    const url = new URL(this.options.graphUrl);
    url.pathname = `${url.pathname.replace(/\/+$/, "")}/${this.options.version}/${path.replace(/^\/+/, "")}`;
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url;
  }

  /** GET path?params; retries transient errors. */
  async get<T>(
    path: string,
    params: Record<string, string>,
    options: RequestOptions = {},
  ): Promise<{ body: T; usage: Usage }> {
    const { body, usage } = await this.send<T>(this.url(path, params), options);
    return { body, usage };
  }

  /** Every page of an edge, following paging.next to the end. */
  async *pages<T>(
    path: string,
    params: Record<string, string>,
    options: RequestOptions = {},
  ): AsyncGenerator<GraphPage<T>> {
    let url: URL | undefined = this.url(path, params);
    while (url) {
      // Only the page is kept while suspended at `yield`, not the response around it.
      const page: GraphPage<T> & { next?: string } = this.toPage(await this.send(url, options));
      url = page.next ? this.rebase(page.next) : undefined;
      yield { data: page.data, usage: page.usage, hasNext: page.hasNext };
    }
  }

  /** pages(), each page as received (RawGraphPage): scanned for its row count and paging, not parsed. */
  async *rawPages(
    path: string,
    params: Record<string, string>,
    options: RequestOptions = {},
  ): AsyncGenerator<RawGraphPage> {
    let url: URL | undefined = this.url(path, params);
    while (url) {
      const response: Received<{ data?: unknown[]; paging?: { next?: string } }> = await this.send(url, options, true);
      const next: string | undefined = response.body.paging?.next;
      url = next ? this.rebase(next) : undefined;
      const rows = response.rows ?? (Array.isArray(response.body.data) ? response.body.data.length : 0);
      yield { text: response.text, rows, usage: response.usage, hasNext: Boolean(next) };
    }
  }

  private toPage<T>(response: { body: { data?: T[]; paging?: { next?: string } }; usage: Usage }) {
    const next = response.body.paging?.next;
    return { data: response.body.data ?? [], usage: response.usage, hasNext: Boolean(next), next };
  }

  /** paging.next carries the token and Graph's host: keep only its path and cursor parameters. */
  private rebase(next: string): URL {
    const given = new URL(next);
    const url = new URL(this.options.graphUrl);
    url.pathname = given.pathname;
    url.search = given.search;
    url.searchParams.delete("access_token");
    url.searchParams.delete("appsecret_proof");
    return url;
  }

  private async send<T>(url: URL, options: RequestOptions, scan = false): Promise<Received<T>> {
    const path = url.pathname;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt<T>(url, path, options, scan);
      } catch (error) {
        if (!(error instanceof GraphError) || error.kind !== "transient" || attempt >= this.options.maxRetries) {
          throw error;
        }
        const delay = Math.round(this.options.retryBaseMs * 2 ** attempt * (0.75 + Math.random() * 0.5));
        if (options.deadline !== undefined && this.now() + delay >= options.deadline) throw new BudgetExceededError();
        this.options.log?.(`graph ${path}: ${error.message}; retry ${attempt + 1} in ${delay} ms`);
        await this.sleep(delay);
      }
    }
  }

  private async attempt<T>(base: URL, path: string, options: RequestOptions, scan: boolean): Promise<Received<T>> {
    let timeout = this.options.requestTimeoutMs;
    if (options.deadline !== undefined) {
      const left = options.deadline - this.now();
      if (left <= 0) throw new BudgetExceededError();
      timeout = Math.min(timeout, left);
    }
    const url = new URL(base);
    url.searchParams.set("access_token", this.options.accessToken);
    if (this.options.appSecret) {
      this.proof ??= appSecretProof(this.options.accessToken, this.options.appSecret);
      url.searchParams.set("appsecret_proof", await this.proof);
    }
    this.requests++;
    options.onRequest?.();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeout);
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, { signal: controller.signal, headers: { accept: "application/json" } });
      text = await response.text();
    } catch (error) {
      if (controller.signal.aborted) {
        if (options.deadline !== undefined && this.now() >= options.deadline - 5) throw new BudgetExceededError();
        throw new GraphError("transient", `GET ${path} timed out after ${timeout} ms`, { path });
      }
      const message = redact(String((error as Error)?.message ?? error), [this.options.accessToken]);
      throw new GraphError("transient", `GET ${path} failed: ${message}`, { path });
    } finally {
      clearTimeout(timer);
    }
    const usage = parseUsage(response.headers, options.accountId);
    if (scan && response.ok) {
      // A plain page (no `error` member): counted and its paging read without parsing the rows.
      const page = scanGraphPage(text);
      if (page) return { body: { paging: page.paging } as T, usage, text, rows: page.rows };
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      const kind = response.status >= 500 ? "transient" : "invalid";
      throw new GraphError(kind, `GET ${path}: HTTP ${response.status} with a body that is not JSON`, {
        path,
        status: response.status,
      });
    }
    const error = (body as { error?: GraphErrorBody })?.error;
    if (error || !response.ok) {
      const kind = classifyGraphError(response.status, error);
      const code = error?.code;
      const label =
        code === undefined
          ? `HTTP ${response.status}`
          : `#${code}${error?.error_subcode ? `/${error.error_subcode}` : ""}`;
      const message = redact(error?.message ?? "no error message", [this.options.accessToken, this.options.appSecret]);
      throw new GraphError(kind, `GET ${path}: (${label}) ${message}`, {
        path,
        status: response.status,
        code,
        subcode: error?.error_subcode,
        fbtraceId: error?.fbtrace_id,
        regainMinutes: usage.regainMinutes || undefined,
      });
    }
    return { body: body as T, usage, text };
  }
}
