// Keeps a function process serving when a background callback throws.
//
// postgres.js has a known open bug: when the server drops a connection at the wrong moment, a
// deferred write (`nextWrite`, scheduled with setImmediate) runs on a socket that is already gone
// and throws `TypeError: Cannot read properties of null (reading 'write')` outside any request.
// Uncaught, that ends the Deno process, and every later request gets 502 until someone restarts it.
// The affected connection is already closed (postgres.js reconnects on the next query), and no
// request's outcome depends on that callback (a request that was using the connection gets its
// own error and a 503), so the right reaction is to log it and keep serving.

/** Installs the listeners once per process; `name` prefixes the log line. */
export function keepServingOnUncaughtErrors(name: string, log: (line: string) => void = console.error): void {
  const g = globalThis as unknown as {
    __voronkaGuard?: boolean;
    addEventListener?: (type: string, listener: (event: Event) => void) => void;
  };
  if (g.__voronkaGuard || typeof g.addEventListener !== "function") return;
  g.__voronkaGuard = true;
  const describe = (error: unknown) => (error instanceof Error ? (error.stack ?? error.message) : String(error));
  g.addEventListener("error", (event) => {
    event.preventDefault();
    log(`${name}: uncaught error (process keeps serving): ${describe((event as ErrorEvent).error ?? event)}`);
  });
  g.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    log(`${name}: unhandled rejection (process keeps serving): ${describe((event as PromiseRejectionEvent).reason)}`);
  });
}
