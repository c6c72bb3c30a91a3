// Graph's paging as the fake serves it: opaque cursors, `next` only when more pages follow, and an
// empty edge as just `{"data": []}`.

export function cursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString("base64url");
}

export function offsetOf(after: string | null): number {
  if (!after) return 0;
  const match = Buffer.from(after, "base64url")
    .toString()
    .match(/^offset:(\d+)$/);
  return match ? Number(match[1]) : 0;
}

export function days(since: string, until: string): string[] {
  const out: string[] = [];
  for (let d = new Date(`${since}T00:00:00Z`); d <= new Date(`${until}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
    out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

export function pick(record: Record<string, unknown>, fields: string[] | null): Record<string, unknown> {
  if (!fields) return record;
  return Object.fromEntries(fields.filter((f) => record[f] !== undefined).map((f) => [f, record[f]]));
}
