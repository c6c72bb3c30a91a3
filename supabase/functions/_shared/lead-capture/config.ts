// lead-capture's settings, from the environment map its entry file passes (see ../config.ts).
import { type Env, positiveInteger, text } from "../config.ts";
import { DEFAULT_BODY_TIMEOUT_MS } from "../request-body.ts";

export interface LeadCaptureConfig {
  /** LEAD_CAPTURE_SECRET: the landing's Bearer token (or ?secret=). Unset: every request gets 503. */
  secret: string | null;
  /** Largest accepted body in bytes (413 above); default 64 KiB. */
  maxBodyBytes?: number;
  /** Time allowed to receive the whole body (408 after it); default 10 s. */
  bodyTimeoutMs?: number;
  /** Deadline of the database work of one request, ms (default 1500; see _shared/deadline.ts). */
  deadlineMs?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export function readLeadCaptureConfig(env: Env): LeadCaptureConfig {
  return {
    secret: text(env, "LEAD_CAPTURE_SECRET"),
    bodyTimeoutMs: positiveInteger(env, "LEAD_CAPTURE_BODY_TIMEOUT_MS", DEFAULT_BODY_TIMEOUT_MS, 600_000),
  };
}
