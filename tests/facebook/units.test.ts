// Pure pieces: usage headers (real recordings), the throttle policy, error classification of
// real Graph bodies, configuration defaults, redaction, days in zones.
import { describe, expect, it } from "vitest";
import { readFacebookConfig, ConfigError } from "../../supabase/functions/_shared/facebook/config.ts";
import { addDays, todayIn } from "../../supabase/functions/_shared/facebook/dates.ts";
import { classifyGraphError, redact } from "../../supabase/functions/_shared/facebook/graph-errors.ts";
import { insightsRange } from "../../supabase/functions/_shared/facebook/insights.ts";
import { decideThrottle, parseUsage } from "../../supabase/functions/_shared/facebook/usage.ts";

const policy = { slowdownAtPct: 75, stopAtPct: 95, maxThrottleDelayMs: 10_000 };

describe("usage headers and throttle policy", () => {
  it("reads the live recording's headers", () => {
    const headers = new Headers({
      "x-business-use-case-usage":
        '{"542676646349772":[{"type":"custom_audience","call_count":1,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":0}]}',
      "x-ad-account-usage": '{"acc_id_util_pct":7}',
      "x-app-usage": '{"call_count":1,"total_cputime":0,"total_time":0}',
    });
    expect(parseUsage(headers)).toEqual({ maxPct: 7, regainMinutes: 0 });
    expect(decideThrottle(parseUsage(headers), policy)).toEqual({ action: "continue", delayMs: 0 });
  });

  it("slows down linearly from 75 % and stops at 95 % or when a regain time is set", () => {
    expect(decideThrottle({ maxPct: 85, regainMinutes: 0 }, policy)).toEqual({ action: "continue", delayMs: 5_000 });
    expect(decideThrottle({ maxPct: 95, regainMinutes: 0 }, policy)).toEqual({ action: "stop", regainMinutes: 0 });
    expect(decideThrottle({ maxPct: 10, regainMinutes: 12 }, policy)).toEqual({ action: "stop", regainMinutes: 12 });
    const throttled = new Headers({
      "x-business-use-case-usage":
        '{"111":[{"call_count":20,"estimated_time_to_regain_access":12}],"222":[{"call_count":99}]}',
      "x-fb-ads-insights-throttle": '{"app_id_util_pct":30,"acc_id_util_pct":40}',
    });
    expect(parseUsage(throttled, "111")).toEqual({ maxPct: 40, regainMinutes: 12 });
    expect(parseUsage(new Headers({ "x-app-usage": "not json" }))).toEqual({ maxPct: 0, regainMinutes: 0 });
  });
});

describe("Graph error classification", () => {
  it("classifies the reference's real bodies and documented codes", () => {
    expect(classifyGraphError(400, { type: "OAuthException", code: 190, error_subcode: 463 })).toBe("auth");
    expect(classifyGraphError(400, { code: 80004, error_subcode: 2446079 })).toBe("throttle");
    for (const code of [4, 17, 32, 613, 80000, 80014]) expect(classifyGraphError(400, { code })).toBe("throttle");
    expect(
      classifyGraphError(500, {
        code: 1,
        message: "Please reduce the amount of data you're asking for, then retry your request",
      }),
    ).toBe("reduce_data");
    expect(classifyGraphError(400, { code: 100, error_subcode: 1504018 })).toBe("reduce_data");
    expect(classifyGraphError(400, { code: 2, error_subcode: 1504038 })).toBe("reduce_data");
    expect(classifyGraphError(500, { code: 2, is_transient: true })).toBe("transient");
    expect(classifyGraphError(503, undefined)).toBe("transient");
    expect(classifyGraphError(403, { code: 200 })).toBe("permission");
    expect(classifyGraphError(400, { code: 100, error_subcode: 33 })).toBe("invalid");
    expect(
      classifyGraphError(400, { code: 100, message: "API calls from the server require an appsecret_proof argument" }),
    ).toBe("auth");
  });

  it("redacts tokens and token parameters", () => {
    expect(redact("GET https://g/v26.0/me?access_token=EAAx1&appsecret_proof=ab12&limit=5 failed", [])).toBe(
      "GET https://g/v26.0/me?access_token=[redacted]&appsecret_proof=[redacted]&limit=5 failed",
    );
    expect(redact("token EAAsecret123 leaked", ["EAAsecret123"])).toBe("token [redacted] leaked");
  });
});

describe("configuration and ranges", () => {
  it("has current defaults and rejects nonsense", () => {
    const config = readFacebookConfig({ FB_ACCESS_TOKEN: "t", FB_SYNC_SECRET: "s" });
    expect(config).toMatchObject({
      graphVersion: "v26.0",
      graphUrl: "https://graph.facebook.com",
      backfillDays: 90,
      lookbackDays: 28,
      budgetMs: 100_000,
    });
    expect(config.budgetMs).toBeLessThan(150_000);
    expect(() => readFacebookConfig({ FB_SYNC_BACKFILL_DAYS: "-3" })).toThrow(ConfigError);
    expect(() => readFacebookConfig({ FB_GRAPH_VERSION: "26" })).toThrow(/v26.0/);
  });

  it("computes today per zone across DST and the range from checkpoint, resume point or backfill", () => {
    // 2026-03-08 is the US DST change: 07:30 UTC is 23:30 PST on the 7th and 12:30 in Almaty on the 8th.
    expect(todayIn("America/Los_Angeles", new Date("2026-03-08T07:30:00Z"))).toBe("2026-03-07");
    expect(todayIn("America/Los_Angeles", new Date("2026-03-08T08:30:00Z"))).toBe("2026-03-08");
    expect(todayIn("Asia/Almaty", new Date("2026-03-07T19:00:00Z"))).toBe("2026-03-08");
    // Before 2024-03-01 Almaty was UTC+6.
    expect(todayIn("Asia/Almaty", new Date("2024-02-10T18:30:00Z"))).toBe("2024-02-11");
    expect(todayIn("Asia/Almaty", new Date("2024-03-10T18:30:00Z"))).toBe("2024-03-10");
    const cfg = { backfillDays: 90, lookbackDays: 28 };
    expect(insightsRange({ insights_synced_until: null, insights_resume_from: null }, "2026-03-31", cfg)).toEqual({
      since: "2026-01-01",
      until: "2026-03-31",
    });
    expect(
      insightsRange({ insights_synced_until: "2026-03-30", insights_resume_from: null }, "2026-03-31", cfg),
    ).toEqual({ since: "2026-03-02", until: "2026-03-31" });
    expect(
      insightsRange({ insights_synced_until: "2026-03-30", insights_resume_from: "2026-03-20" }, "2026-03-31", cfg),
    ).toEqual({ since: "2026-03-20", until: "2026-03-31" });
    expect(addDays("2024-02-28", 2)).toBe("2024-03-01");
  });
});
