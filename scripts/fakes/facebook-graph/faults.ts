// Faults the fake Graph API can inject, answered the way Graph answers them (its error envelope,
// HTTP statuses and usage headers): expired token, throttling, transient errors, "reduce the
// amount of data", missing permission, a proxy's HTML 502 and slow responses.

export type FaultKind =
  "expired_token" | "throttle" | "transient" | "reduce_data" | "slow" | "permission" | "server_error";

export interface Fault {
  kind: FaultKind;
  /** Only requests whose path contains this text (e.g. "act_111/insights", "me/businesses"). */
  path?: string;
  /** How many matching requests fail (default: all). */
  times?: number;
  /** throttle: estimated_time_to_regain_access in the usage header (minutes). */
  regainMinutes?: number;
  /** throttle: the Graph code (default 80004). */
  code?: number;
  /** slow: added latency. */
  delayMs?: number;
  /** reduce_data: only when the requested range is longer than this many days. */
  whenDaysOver?: number;
  /** reduce_data: only when limit is above this. */
  whenLimitOver?: number;
}

const EXPIRED = {
  message:
    "Error validating access token: Session has expired on Thursday, 29-Jul-21 10:00:00 PDT. The current time is Friday, 30-Jul-21 06:41:07 PDT.",
  type: "OAuthException",
  code: 190,
  error_subcode: 463,
};

export function graphError(error: Record<string, unknown>) {
  return { error: { ...error, fbtrace_id: `Afake${Math.random().toString(36).slice(2, 12)}` } };
}

export interface FakeResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** The response a matched fault produces, or null when it only delays the normal answer. */
export async function faultResponse(
  fault: Fault,
  accountId: string | undefined,
  headers: Record<string, string>,
): Promise<FakeResponse | null> {
  switch (fault.kind) {
    case "expired_token":
      return { status: 400, body: graphError(EXPIRED), headers };
    case "throttle": {
      const code = fault.code ?? 80004;
      if (accountId) {
        headers["x-business-use-case-usage"] = JSON.stringify({
          [accountId]: [
            {
              type: "ads_insights",
              call_count: 100,
              total_cputime: 40,
              total_time: 40,
              estimated_time_to_regain_access: fault.regainMinutes ?? 0,
            },
          ],
        });
      }
      return {
        status: 400,
        body: graphError({
          message: `(#${code}) There have been too many calls to this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.`,
          type: "OAuthException",
          code,
          error_subcode: code === 80004 ? 2446079 : undefined,
        }),
        headers,
      };
    }
    case "transient":
      return {
        status: 500,
        body: graphError({
          message: "An unexpected error has occurred. Please retry your request later.",
          type: "OAuthException",
          is_transient: true,
          code: 2,
        }),
        headers,
      };
    case "reduce_data":
      return {
        status: 500,
        body: graphError({
          message: "Please reduce the amount of data you're asking for, then retry your request",
          type: "OAuthException",
          code: 1,
        }),
        headers,
      };
    case "permission":
      return {
        status: 403,
        body: graphError({
          message: "(#200) Requires business_management permission to manage the object",
          type: "OAuthException",
          code: 200,
        }),
        headers,
      };
    case "server_error":
      return { status: 502, body: "<html><body>Bad Gateway</body></html>", headers };
    case "slow":
      await new Promise((r) => setTimeout(r, fault.delayMs ?? 1000));
      return null;
  }
}
