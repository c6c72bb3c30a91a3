// The local stack's timer: off (and saying so) without a token, POSTing to the function with it.
import http from "node:http";
import { afterEach, expect, it } from "vitest";
import { startFacebookSyncTimer } from "../../scripts/local/facebook-timer.ts";

const stops: (() => void)[] = [];
afterEach(() => stops.splice(0).forEach((stop) => stop()));

it("says clearly that the sync is off when FB_ACCESS_TOKEN or FB_SYNC_SECRET is missing", () => {
  const lines: string[] = [];
  stops.push(
    startFacebookSyncTimer({
      functionsUrl: "http://127.0.0.1:9",
      env: { FB_SYNC_SECRET: "s" },
      log: (l) => lines.push(l),
    }).stop,
  );
  expect(lines).toEqual([expect.stringMatching(/^Facebook sync: off \(FB_ACCESS_TOKEN not set\)/)]);
});

it("POSTs to facebook-sync with the bearer secret and logs the run's outcome", async () => {
  const calls: { url?: string; method?: string; authorization?: string }[] = [];
  const server = http.createServer((req, res) => {
    calls.push({ url: req.url, method: req.method, authorization: req.headers.authorization });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        status: "succeeded",
        message: "5/5 accounts up to date",
        rows_read: 40,
        rows_upserted: 40,
        requests: 19,
        duration_ms: 300,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const lines: string[] = [];
  try {
    stops.push(
      startFacebookSyncTimer({
        functionsUrl: `http://127.0.0.1:${port}/functions/v1`,
        env: { FB_ACCESS_TOKEN: "t", FB_SYNC_SECRET: "timer-secret", FB_SYNC_INTERVAL_SECONDS: "60" },
        log: (l) => lines.push(l),
      }).stop,
    );
    for (let i = 0; i < 100 && lines.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(calls).toEqual([
      { url: "/functions/v1/facebook-sync", method: "POST", authorization: "Bearer timer-secret" },
    ]);
    expect(lines[0]).toMatch(/every 60 s through http:\/\/127\.0\.0\.1:\d+\/functions\/v1\/facebook-sync/);
    expect(lines[1]).toMatch(/^Facebook sync succeeded: 5\/5 accounts up to date \(40 rows read/);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
