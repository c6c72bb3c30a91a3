// Every port the test suite listens on, in one table: an offset from this run's Postgres port
// (VORONKA_TEST_PG_PORT, default 25330: below Linux's ephemeral port range 32768–60999, so no outgoing
// connection of the busy suite ever holds a port it is about to listen on), so no two test files collide, and two suites started with
// bases at least TEST_PORT_SPAN apart run side by side. Function servers get explicit
// process ports inside their block (the default, port + 100, would leave the span).
// tests/test-ports.test.ts checks that the blocks do not overlap.

export const TEST_PORT_BASE = Number(process.env.VORONKA_TEST_PG_PORT ?? 25330);
export const TEST_PORT_SPAN = 50;

/** offset → how many consecutive ports, per use. */
export const TEST_PORT_BLOCKS = {
  postgres: { offset: 0, count: 1 }, // tests/support/global-setup.ts (+ Stryker worker number)
  amocrmFunctions: { offset: 1, count: 3 }, // proxy + amocrm-webhook, amocrm-reconcile
  leadCaptureFunctions: { offset: 4, count: 2 }, // proxy + lead-capture
  facebookFunctions: { offset: 6, count: 2 }, // proxy + facebook-sync
  startPostgres: { offset: 11, count: 1 }, // npm start's Postgres (tests/local-stack.test.ts)
  startFunctions: { offset: 12, count: 1 }, // npm start's functions proxy
  startBlocked: { offset: 13, count: 1 }, // a port held busy on purpose
  startFunctionProcesses: { offset: 14, count: 6 }, // npm start's function processes (one per function)
  processesProxy: { offset: 20, count: 1 }, // tests/function-processes.test.ts
  outagePostgres: { offset: 21, count: 1 }, // tests/ingestion-outage.test.ts
  outageFunctions: { offset: 22, count: 1 },
  processesFixture: { offset: 23, count: 1 },
  processesUpstream: { offset: 24, count: 1 },
  outageUpstream: { offset: 25, count: 3 },
  stopProxy: { offset: 28, count: 1 }, // tests/function-processes.test.ts: stop time
  stopUpstream: { offset: 29, count: 2 },
  exitProxy: { offset: 31, count: 2 },
  doctorFunctions: { offset: 33, count: 2 }, // tests/doctor.test.ts: proxy + health
  doctorNothing: { offset: 35, count: 1 }, // a port where no functions answer // tests/function-processes.test.ts: proxy + health after exit()
  dataApi: { offset: 36, count: 1 }, // tests/supabase-api/data-api.test.ts: the local Data API + Auth
  authApi: { offset: 37, count: 1 }, // tests/supabase-api/auth.test.ts
  dashboardGateway: { offset: 38, count: 1 },
  dataApiNoDatabase: { offset: 39, count: 2 }, // tests/supabase-api/data-api.test.ts: gateway + a port where no Postgres listens // tests/dashboard/browser.test.ts: the gateway serving the built dashboard
  dashboardReportsGateway: { offset: 41, count: 1 }, // tests/dashboard/report-pages.test.ts (seeded)
  dashboardHandCountedGateway: { offset: 42, count: 1 }, // tests/dashboard/hand-counted.test.ts
} as const;

/**
 * `npm run mutate`'s Postgres ports: one span after this run's test span (so a mutation run and
 * `npm test` of the same checkout can run side by side), or VORONKA_MUTATE_PG_PORT. Worker n of
 * either half uses base + 50 × n, so N workers need N spans: keep --workers (and Stryker's
 * concurrency) at 1 when other suites start a span or two above your own base.
 */
export const MUTATE_PORT_BASE = Number(process.env.VORONKA_MUTATE_PG_PORT ?? TEST_PORT_BASE + TEST_PORT_SPAN);

/**
 * The Postgres port of a StrykerJS worker. Stryker numbers its worker processes in start order and
 * a worker replaced after a timeout gets the next number, so the number alone would walk up through
 * other suites' ports; it is folded into the run's slots (VORONKA_MUTATE_SLOTS, its concurrency).
 */
export function strykerWorkerPort(base: number, worker: number, slots: number): number {
  return base + TEST_PORT_SPAN * (worker % Math.max(1, slots));
}

export type TestPortUse = keyof typeof TEST_PORT_BLOCKS;

/** The first port of a use's block in this run. */
export function testPort(use: TestPortUse): number {
  return TEST_PORT_BASE + TEST_PORT_BLOCKS[use].offset;
}
