// Graph API errors, classified by what the sync does about them. The body's error code is the
// signal, not the HTTP status (throttling arrives as HTTP 400).

export type GraphErrorKind =
  /** 190 and friends: the token is expired or invalid. Fails the run. */
  | "auth"
  /** 4, 17, 32, 613, 80000-80014: rate limited. Stops the account (or the run) until later. */
  | "throttle"
  /** "Please reduce the amount of data": ask for a shorter range or a smaller page. */
  | "reduce_data"
  /** code 1/2, is_transient, 5xx, network failures, timeouts: retried with backoff. */
  | "transient"
  /** 10, 200-299: the token lacks a permission for this object. */
  | "permission"
  /** Anything else (100 bad parameter, unknown object...). */
  | "invalid";

export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  is_transient?: boolean;
  error_user_title?: string;
  error_user_msg?: string;
  fbtrace_id?: string;
}

const APP_LEVEL_THROTTLE = new Set([4, 17]);

export function classifyGraphError(status: number, error: GraphErrorBody | undefined): GraphErrorKind {
  const code = error?.code;
  const subcode = error?.error_subcode;
  const message = error?.message ?? "";
  if (code === 190 || code === 102 || code === 463 || code === 467) return "auth";
  // The app requires appsecret_proof (or it is wrong): a configuration problem, like a bad token.
  if (code === 100 && /appsecret_proof/i.test(message)) return "auth";
  if (
    code === 4 ||
    code === 17 ||
    code === 32 ||
    code === 613 ||
    (code !== undefined && code >= 80000 && code <= 80014)
  ) {
    return "throttle";
  }
  if (
    (code === 1 && /reduce the amount of data/i.test(message)) ||
    (code === 100 && subcode === 1504018) ||
    (code === 2 && subcode === 1504038)
  ) {
    return "reduce_data";
  }
  if (code === 1 || code === 2 || error?.is_transient === true || status >= 500 || status === 429) return "transient";
  if (code === 10 || (code !== undefined && code >= 200 && code <= 299)) return "permission";
  return "invalid";
}

export class GraphError extends Error {
  constructor(
    readonly kind: GraphErrorKind,
    message: string,
    readonly details: {
      status?: number;
      code?: number;
      subcode?: number;
      fbtraceId?: string;
      /** Graph path without query (never a URL with the token). */
      path?: string;
      /** From the usage headers: minutes until the throttle lifts. */
      regainMinutes?: number;
    } = {},
  ) {
    super(message);
    this.name = "GraphError";
  }

  /** App-wide limits stop every account, not just the one that hit them. */
  get appWide(): boolean {
    // Stryker disable next-line UnaryOperator: equivalent, neither -1 nor +1 is an app-level code
    return this.kind === "throttle" && APP_LEVEL_THROTTLE.has(this.details.code ?? -1);
  }

  toJSON() {
    return { kind: this.kind, message: this.message, ...this.details };
  }
}

/** Removes the token (and anything that looks like one in a URL) from text that may be logged. */
export function redact(text: string, secrets: (string | null | undefined)[]): string {
  let out = text.replace(/(access_token|appsecret_proof)=[^&\s"']+/gi, "$1=[redacted]");
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("[redacted]");
  }
  return out;
}
