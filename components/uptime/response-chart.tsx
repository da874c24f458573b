"use client";

import {
  CartesianGrid,
  Legend,
  Line,
  ReferenceArea,
  ReferenceLine,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { utcMinute } from "@/lib/uptime";

type Point = { t: number; p50: number | null; p95: number | null };

function tick(t: number, spanMs: number): string {
  const iso = new Date(t).toISOString();
  return spanMs <= 86_400_000 ? iso.slice(11, 16) : iso.slice(5, 10);
}

export type DeployMarker = { t: number; label: string; failed: boolean };
/** A down period (an incident), clipped to the chart's range. */
export type DownBand = { from: number; to: number; open: boolean };

/**
 * p50 and p95 response time per bin (successful checks only), in UTC, over the whole
 * range; down periods are red bands, so an outage shows even where no check answered.
 */
export function ResponseChart({
  points,
  range,
  markers = [],
  bands = [],
}: {
  points: Point[];
  range: { from: number; to: number };
  markers?: DeployMarker[];
  bands?: DownBand[];
}) {
  const spanMs = range.to - range.from;
  if (points.every((p) => p.p50 === null) && bands.length === 0) {
    return (
      <p className="flex h-64 items-center justify-center text-sm text-slate-500">
        No response times in this range yet.
      </p>
    );
  }
  return (
    <div className="h-64" data-testid="response-chart" data-down-bands={bands.length}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--color-slate-200)" strokeDasharray="3 3" />
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={[range.from, range.to]}
            allowDataOverflow
            tickFormatter={(t: number) => tick(t, spanMs)}
            fontSize={11}
          />
          <YAxis unit=" ms" fontSize={11} width={64} />
          <Tooltip
            // Colours from the theme, so the box is dark in the dark theme.
            contentStyle={{
              background: "var(--color-white)",
              borderColor: "var(--color-slate-200)",
            }}
            labelFormatter={(t) => utcMinute(Number(t))}
            formatter={(v) => (v === null ? "—" : `${v} ms`)}
          />
          <Legend />
          {bands.map((b) => (
            <ReferenceArea
              key={b.from}
              x1={b.from}
              x2={Math.max(b.to, b.from + spanMs / 500)}
              className="down-band"
              fill="var(--color-red-200)"
              fillOpacity={0.6}
              stroke="#f87171"
              ifOverflow="hidden"
              label={{
                value: b.open ? "down (ongoing)" : "down",
                position: "insideTop",
                fontSize: 10,
                fill: "var(--color-red-800)",
              }}
            />
          ))}
          {markers.map((m) => (
            <ReferenceLine
              key={`${m.t}-${m.label}`}
              x={m.t}
              stroke={m.failed ? "#b91c1c" : "var(--color-slate-500)"}
              strokeDasharray="4 2"
              label={{
                value: m.label,
                position: "insideTopLeft",
                fontSize: 10,
                fill: "var(--color-slate-600)",
              }}
            />
          ))}
          <Line
            type="monotone"
            dataKey="p50"
            name="p50"
            stroke="#0284c7"
            dot={false}
            isAnimationActive={false}
          />
          <Line
            type="monotone"
            dataKey="p95"
            name="p95"
            stroke="#b45309"
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
