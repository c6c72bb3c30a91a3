// The local stand-in for a pg_cron job that calls an Edge Function through pg_net: POST to the
// served function with a bearer secret every few seconds, one call at a time, and log what it
// answered. Shared by the Facebook sync and amoCRM reconciliation timers.

export interface FunctionTimerOptions {
  /** Label in log lines, e.g. "Facebook sync". */
  label: string;
  /** URL of the served function. */
  url: string;
  secret: string;
  intervalSeconds: number;
  body?: unknown;
  log: (line: string) => void;
  /** One log line for an answer (any status). */
  describe: (status: number, body: Record<string, any>) => string;
}

export interface Timer {
  stop(): void;
}

/** Interval from an environment value, at least 10 s, the default when unset or not a number. */
export function intervalFromEnv(value: string | undefined, defaultSeconds: number): number {
  const seconds = Number(value ?? defaultSeconds);
  return Math.max(Number.isFinite(seconds) ? seconds : defaultSeconds, 10);
}

export function startFunctionTimer(options: FunctionTimerOptions): Timer {
  let busy = false;
  let stopped = false;

  const tick = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      const response = await fetch(options.url, {
        method: "POST",
        headers: { authorization: `Bearer ${options.secret}`, "content-type": "application/json" },
        body: JSON.stringify(options.body ?? {}),
        signal: AbortSignal.timeout(10 * 60_000),
      });
      const body = (await response.json().catch(() => ({}))) as Record<string, any>;
      options.log(options.describe(response.status, body));
    } catch (error) {
      options.log(`${options.label}: could not call ${options.url}: ${(error as Error).message}`);
    } finally {
      busy = false;
    }
  };

  options.log(`${options.label}: every ${options.intervalSeconds} s through ${options.url}`);
  const first = setTimeout(() => void tick(), 5_000);
  const timer = setInterval(() => void tick(), options.intervalSeconds * 1000);
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

/** What a timer that is not configured returns, after saying so. */
export function disabledTimer(log: (line: string) => void, message: string): Timer {
  log(message);
  return { stop() {} };
}
