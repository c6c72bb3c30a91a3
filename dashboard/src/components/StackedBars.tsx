// A small SVG bar chart: one slot per day, one bar per series group, each row (team) a segment of
// its bar. Drawing only: the figures are funnel_daily's rows as they are.
import type { FunnelDailyRow } from "../../../supabase/types/api.ts";
import { day as dayLabel } from "../lib/format.ts";

export interface Series {
  name: string;
  color: string;
  value: (row: FunnelDailyRow) => number | null;
  /** Series of one group stack into one bar (e.g. Express and Flagman revenue). */
  group?: number;
}

const WIDTH = 960;
const HEIGHT = 220;
const AXIS = 18;

export function StackedBars(props: {
  days: string[];
  rows: FunnelDailyRow[];
  series: Series[];
  format: (value: number) => string;
  testId: string;
}) {
  const groups = [...new Set(props.series.map((s) => s.group ?? 0))];
  const byDay = new Map<string, FunnelDailyRow[]>();
  for (const row of props.rows) byDay.set(row.day, [...(byDay.get(row.day) ?? []), row]);
  const bars = props.days.map((d) =>
    groups.map((g) =>
      props.series
        .filter((s) => (s.group ?? 0) === g)
        .flatMap((s) => (byDay.get(d) ?? []).map((row) => ({ series: s, row, value: s.value(row) ?? 0 }))),
    ),
  );
  const top = Math.max(1, ...bars.flat().map((segments) => segments.reduce((height, s) => height + s.value, 0)));
  const slot = props.days.length ? WIDTH / props.days.length : WIDTH;
  const barWidth = Math.max(1, (slot * 0.8) / groups.length);
  const scale = (HEIGHT - AXIS) / top;

  return (
    <figure className="chart" data-testid={props.testId}>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" preserveAspectRatio="none">
        {bars.map((dayBars, i) =>
          dayBars.map((segments, g) => {
            let y = HEIGHT - AXIS;
            return segments.map(({ series, row, value }) => {
              const h = value * scale;
              y -= h;
              return (
                <rect
                  key={`${i}-${g}-${series.name}-${row.team}`}
                  x={i * slot + slot * 0.1 + g * barWidth}
                  y={y}
                  width={barWidth}
                  height={h}
                  fill={series.color}
                  stroke="#fff"
                  strokeWidth={h > 2 ? 0.5 : 0}
                >
                  <title>{`${dayLabel(row.day)} · ${row.team} · ${series.name}: ${props.format(value)}`}</title>
                </rect>
              );
            });
          }),
        )}
        {props.days.map((d, i) =>
          i % Math.ceil(props.days.length / 10) === 0 ? (
            <text key={d} x={i * slot + slot / 2} y={HEIGHT - 4} textAnchor="middle" fontSize="11" fill="#666">
              {dayLabel(d).slice(0, 5)}
            </text>
          ) : null,
        )}
      </svg>
      <figcaption>
        {props.series.map((s) => (
          <span key={s.name} className="legend">
            <i style={{ background: s.color }} /> {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
