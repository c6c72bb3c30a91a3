// Lets a function process stop promptly. On SIGTERM `deno serve` stops accepting requests and
// exits once nothing keeps the event loop busy, but an idle postgres.js connection does until its
// idle_timeout (20 s): stopping `npm start` or a test's functions server waited that long. Ending
// the pool on SIGTERM (in-flight queries get up to a second) lets the process exit at once.
// Where the runtime has no signal listeners (hosted Edge Runtime), this does nothing.

interface EndablePool {
  end(options?: { timeout?: number }): Promise<void>;
}

type SignalRuntime = { addSignalListener?: (signal: "SIGTERM", listener: () => void) => void };

export function endPoolOnTermination(sql: EndablePool, runtime?: SignalRuntime): void {
  const deno = runtime ?? (globalThis as { Deno?: SignalRuntime }).Deno;
  try {
    deno?.addSignalListener?.("SIGTERM", () => {
      sql.end({ timeout: 1 }).catch(() => {});
    });
  } catch {
    // signals not offered here: the runtime ends the process itself
  }
}
