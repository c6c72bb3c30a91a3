// Graph usage headers and the throttle policy built on them: slow down as usage approaches the
// limit, stop the account when it is reached or Graph says how long until access returns.

export interface Usage {
  /** Highest percentage in any usage header (0 when none was sent). */
  maxPct: number;
  /** Minutes until access returns (estimated_time_to_regain_access), 0 when not throttled. */
  regainMinutes: number;
}

function parseJson(value: string | null): unknown {
  // Stryker disable next-line ConditionalExpression: equivalent, JSON.parse("") throws and JSON.parse(null) is null: no usage either way
  if (!value) return undefined;
  try {
    return JSON.parse(value);
    // Stryker disable next-line BlockStatement: equivalent, a function without a return gives undefined too
  } catch {
    return undefined;
  }
}

function numbers(record: unknown, keys: string[]): number[] {
  // Stryker disable next-line LogicalOperator: equivalent, a truthy non-object has no numeric keys either
  if (!record || typeof record !== "object") return [];
  return keys.map((k) => Number((record as Record<string, unknown>)[k])).filter((n) => Number.isFinite(n));
}

/**
 * Reads x-business-use-case-usage (only the entries of `accountId` when given), x-ad-account-usage,
 * x-app-usage and x-fb-ads-insights-throttle.
 */
export function parseUsage(headers: Headers, accountId?: string): Usage {
  const pcts: number[] = [];
  let regainMinutes = 0;
  const buc = parseJson(headers.get("x-business-use-case-usage"));
  // Stryker disable next-line LogicalOperator: equivalent, a truthy non-object header has no array entries
  if (buc && typeof buc === "object") {
    for (const [id, entries] of Object.entries(buc as Record<string, unknown>)) {
      if (accountId && id !== accountId) continue;
      for (const entry of Array.isArray(entries) ? entries : []) {
        pcts.push(...numbers(entry, ["call_count", "total_cputime", "total_time"]));
        const regain = Number((entry as Record<string, unknown>).estimated_time_to_regain_access);
        if (Number.isFinite(regain)) regainMinutes = Math.max(regainMinutes, regain);
      }
    }
  }
  pcts.push(...numbers(parseJson(headers.get("x-ad-account-usage")), ["acc_id_util_pct"]));
  pcts.push(...numbers(parseJson(headers.get("x-app-usage")), ["call_count", "total_cputime", "total_time"]));
  pcts.push(...numbers(parseJson(headers.get("x-fb-ads-insights-throttle")), ["app_id_util_pct", "acc_id_util_pct"]));
  return { maxPct: pcts.length ? Math.max(...pcts) : 0, regainMinutes };
}

export type ThrottleDecision = { action: "continue"; delayMs: number } | { action: "stop"; regainMinutes: number };

export interface ThrottlePolicy {
  slowdownAtPct: number;
  stopAtPct: number;
  maxThrottleDelayMs: number;
}

/** Below slowdownAtPct: go on. Between: wait, linearly longer up to maxThrottleDelayMs. At stopAtPct or a regain time: stop. */
export function decideThrottle(usage: Usage, policy: ThrottlePolicy): ThrottleDecision {
  if (usage.regainMinutes > 0 || usage.maxPct >= policy.stopAtPct) {
    return { action: "stop", regainMinutes: usage.regainMinutes };
  }
  // Stryker disable next-line EqualityOperator: equivalent, at exactly slowdownAtPct the delay is 0 either way
  if (usage.maxPct >= policy.slowdownAtPct) {
    const share = (usage.maxPct - policy.slowdownAtPct) / Math.max(1, policy.stopAtPct - policy.slowdownAtPct);
    return { action: "continue", delayMs: Math.round(share * policy.maxThrottleDelayMs) };
  }
  return { action: "continue", delayMs: 0 };
}
