// Calendar days (YYYY-MM-DD strings) and "today" in an IANA zone, with Intl (same in Deno/Node).

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar day it is at `now` in `timeZone` (throws RangeError on an unknown zone). */
export function todayIn(timeZone: string, now: Date): string {
  let format = formatters.get(timeZone);
  // Stryker disable next-line ConditionalExpression: a cache; a new formatter each time gives the same day
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(now).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Days from `since` to `until`, both inclusive (0 when since > until). */
export function daysBetween(since: string, until: string): number {
  const ms = Date.parse(`${until}T00:00:00Z`) - Date.parse(`${since}T00:00:00Z`);
  return Math.max(0, Math.round(ms / 86_400_000) + 1);
}

export function minDay(a: string, b: string): string {
  return a < b ? a : b;
}

export function maxDay(a: string, b: string): string {
  return a > b ? a : b;
}
