// Instants as the school reads them: in the business time zone (voronka.setting, Asia/Almaty by
// default), never in the machine's zone or UTC.
import type postgres from "postgres";

export const DEFAULT_BUSINESS_TIME_ZONE = "Asia/Almaty";

export async function businessTimeZone(sql: postgres.Sql): Promise<string> {
  const [row] = await sql<{ zone: string }[]>`select business_time_zone as zone from voronka.setting limit 1`;
  return row?.zone ?? DEFAULT_BUSINESS_TIME_ZONE;
}

/** "2026-11-27 13:05:12 Asia/Almaty" */
export function inBusinessZone(instant: Date | string, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${zone}`;
}
