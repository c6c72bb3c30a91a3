// The local stack's stand-in for pg_cron + pg_net: POSTs to the served facebook-sync function
// every few minutes when FB_ACCESS_TOKEN and FB_SYNC_SECRET are configured, and says clearly once
// when they are not.

export const DEFAULT_FACEBOOK_SYNC_INTERVAL_SECONDS = 300;

export function startFacebookSyncTimer(opts: {
  functionsUrl: string;
  env: Record<string, string>;
  log: (line: string) => void;
}): { stop(): void } {
  const missing = ["FB_ACCESS_TOKEN", "FB_SYNC_SECRET"].filter((name) => !opts.env[name]?.trim());
  if (missing.length) {
    opts.log(
      `Facebook sync: off (${missing.join(" and ")} not set). Put FB_ACCESS_TOKEN (a system-user token) and ` +
        `FB_SYNC_SECRET in supabase/functions/.env to sync every ${DEFAULT_FACEBOOK_SYNC_INTERVAL_SECONDS / 60} min ` +
        `(or run \`npm run fake:facebook\` and set FB_GRAPH_URL=http://127.0.0.1:54341 FB_ACCESS_TOKEN=fake-token to try it).`,
    );
    return { stop() {} };
  }
  const seconds = Number(opts.env.FB_SYNC_INTERVAL_SECONDS ?? DEFAULT_FACEBOOK_SYNC_INTERVAL_SECONDS);
  const intervalMs = Math.max(Number.isFinite(seconds) ? seconds : DEFAULT_FACEBOOK_SYNC_INTERVAL_SECONDS, 10) * 1000;
  const url = `${opts.functionsUrl}/facebook-sync`;
  let busy = false;
  let stopped = false;

  const tick = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${opts.env.FB_SYNC_SECRET}`, "content-type": "application/json" },
        body: JSON.stringify({ trigger: "timer" }),
        signal: AbortSignal.timeout(10 * 60_000),
      });
      const body = (await response.json().catch(() => ({}))) as Record<string, any>;
      if (response.status === 409) opts.log("Facebook sync: previous run still running; skipped");
      else if (body.status) {
        opts.log(
          `Facebook sync ${body.status}: ${body.message} (${body.rows_read} rows read, ${body.rows_upserted} changed, ` +
            `${body.requests} requests, ${(body.duration_ms / 1000).toFixed(1)} s)`,
        );
      } else opts.log(`Facebook sync failed (${response.status}): ${body.error?.message ?? "unknown error"}`);
    } catch (error) {
      opts.log(`Facebook sync: could not call ${url}: ${(error as Error).message}`);
    } finally {
      busy = false;
    }
  };

  opts.log(`Facebook sync: every ${intervalMs / 1000} s through ${url}`);
  const first = setTimeout(() => void tick(), 5_000);
  const timer = setInterval(() => void tick(), intervalMs);
  first.unref?.();
  timer.unref?.();
  return {
    stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
