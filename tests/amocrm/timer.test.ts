// The local stack's reconciliation timer: off (and saying so) without API settings, POSTing to
// amocrm-reconcile with its secret when configured.
import http from "node:http";
import { afterEach, expect, it } from "vitest";
import { startAmocrmReconcileTimer } from "../../scripts/local/amocrm-timer.ts";

const stops: (() => void)[] = [];
afterEach(() => stops.splice(0).forEach((stop) => stop()));

it("says clearly that reconciliation is off without an access token", () => {
  const lines: string[] = [];
  stops.push(
    startAmocrmReconcileTimer({ functionsUrl: "http://127.0.0.1:9", env: {}, log: (l) => lines.push(l) }).stop,
  );
  expect(lines).toEqual([expect.stringMatching(/^amoCRM reconciliation: off \(/)]);
});

it("POSTs to amocrm-reconcile with the bearer secret and logs the outcome", async () => {
  const calls: { url?: string; authorization?: string }[] = [];
  const server = http.createServer((req, res) => {
    calls.push({ url: req.url, authorization: req.headers.authorization });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ pages: 2, deals: 301, from: "2026-11-26T10:00:00.000Z" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const lines: string[] = [];
  try {
    stops.push(
      startAmocrmReconcileTimer({
        functionsUrl: `http://127.0.0.1:${port}/functions/v1`,
        env: {
          AMOCRM_ACCESS_TOKEN: "token",
          AMOCRM_SUBDOMAIN: "voronka-demo",
          AMOCRM_RECONCILE_SECRET: "reconcile-secret",
          AMOCRM_RECONCILE_INTERVAL_SECONDS: "60",
        },
        log: (l) => lines.push(l),
      }).stop,
    );
    for (let i = 0; i < 100 && lines.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(calls).toEqual([{ url: "/functions/v1/amocrm-reconcile", authorization: "Bearer reconcile-secret" }]);
    expect(lines[0]).toMatch(
      /^amoCRM reconciliation: every 60 s through http:\/\/127\.0\.0\.1:\d+\/functions\/v1\/amocrm-reconcile/,
    );
    expect(lines[1]).toBe("amoCRM reconciliation: 2 page(s), 301 deal(s) since 2026-11-26T10:00:00.000Z");
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
