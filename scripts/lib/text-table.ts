// Plain terminal tables: a header, a rule, rows; text columns left-aligned, numbers right-aligned.

const NUMERIC = /^[-+]?[\d,. ]+(%|x| ms| s)?$|^n\/a$/;

export function textTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => !r[i] || NUMERIC.test(r[i])));
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? (c ?? "").padStart(widths[i]) : (c ?? "").padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "─".repeat(w)).join("──"), ...rows.map(line)].join("\n");
}
