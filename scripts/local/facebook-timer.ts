// The local stack's stand-in for pg_cron + pg_net: POSTs to the served facebook-sync function
// every few minutes when FB_ACCESS_TOKEN and FB_SYNC_SECRET are configured, and says clearly once
// when they are not.
import { disabledTimer, intervalFromEnv, startFunctionTimer, type Timer } from "./function-timer.ts";

export const DEFAULT_FACEBOOK_SYNC_INTERVAL_SECONDS = 300;

export function startFacebookSyncTimer(opts: {
  functionsUrl: string;
  env: Record<string, string>;
  log: (line: string) => void;
}): Timer {
  const missing = ["FB_ACCESS_TOKEN", "FB_SYNC_SECRET"].filter((name) => !opts.env[name]?.trim());
  if (missing.length) {
    return disabledTimer(
      opts.log,
      `Facebook sync: off (${missing.join(" and ")} not set). Put FB_ACCESS_TOKEN (a system-user token) and ` +
        `FB_SYNC_SECRET in supabase/functions/.env to sync every ${DEFAULT_FACEBOOK_SYNC_INTERVAL_SECONDS / 60} min ` +
        `(or run \`npm run fake:facebook\` and set FB_GRAPH_URL=http://127.0.0.1:54341 FB_ACCESS_TOKEN=fake-token to try it).`,
    );
  }
  return startFunctionTimer({
    label: "Facebook sync",
    url: `${opts.functionsUrl}/facebook-sync`,
    secret: opts.env.FB_SYNC_SECRET,
    intervalSeconds: intervalFromEnv(opts.env.FB_SYNC_INTERVAL_SECONDS, DEFAULT_FACEBOOK_SYNC_INTERVAL_SECONDS),
    body: { trigger: "timer" },
    log: opts.log,
    describe: (status, body) => {
      if (status === 409) return "Facebook sync: previous run still running; skipped";
      if (!body.status) return `Facebook sync failed (${status}): ${body.error?.message ?? "unknown error"}`;
      return (
        `Facebook sync ${body.status}: ${body.message} (${body.rows_read} rows read, ${body.rows_upserted} changed, ` +
        `${body.requests} requests, ${(body.duration_ms / 1000).toFixed(1)} s)`
      );
    },
  });
}
