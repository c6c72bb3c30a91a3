// Numbers as the school reads them: ru-KZ style (1 234 567,89 ₸), whatever the interface language.
// A null figure (no data, or a missing exchange rate) is a dash, never 0.
const LOCALE = "ru-KZ";
const moneyFormat = new Intl.NumberFormat(LOCALE, { style: "currency", currency: "KZT", minimumFractionDigits: 2 });
const countFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const percentFormat = new Intl.NumberFormat(LOCALE, {
  style: "percent",
  minimumFractionDigits: 1,
  maximumFractionDigits: 2,
});
const daysFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });
const ratioFormat = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const DASH = "—";

export function money(value: number | null | undefined, currency = "KZT"): string {
  if (value === null || value === undefined) return DASH;
  if (currency === "KZT") return moneyFormat.format(value);
  return new Intl.NumberFormat(LOCALE, { style: "currency", currency, minimumFractionDigits: 2 }).format(value);
}

export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? DASH : countFormat.format(value);
}

export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? DASH : percentFormat.format(value);
}

/** ROAS and similar multiples: 0,95×. */
export function times(value: number | null | undefined): string {
  return value === null || value === undefined ? DASH : `${ratioFormat.format(value)}×`;
}

/** An instant in the business time zone (Asia/Almaty), with the zone named. */
export function instant(value: string | null | undefined, timeZone: string): string {
  if (!value) return DASH;
  return new Intl.DateTimeFormat(LOCALE, { timeZone, dateStyle: "medium", timeStyle: "short" }).format(new Date(value));
}

/** A calendar day (YYYY-MM-DD) as 27.11.2026. */
export function day(value: string): string {
  const [y, m, d] = value.split("-");
  return `${d}.${m}.${y}`;
}

/** A number of days, to one decimal (cohort lags: 1,5). */
export function days(value: number | null | undefined): string {
  return value === null || value === undefined ? DASH : daysFormat.format(value);
}
