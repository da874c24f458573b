"use client";

import {
  CartesianGrid,
  Legend,
  Line,
  ReferenceLine,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

type Point = { t: number; p50: number | null; p95: number | null };

function tick(t: number, spanMs: number): string {
  const iso = new Date(t).toISOString();
  return spanMs <= 86_400_000 ? iso.slice(11, 16) : iso.slice(5, 10);
}

/** p50 and p95 response time per bin, in UTC. */
export type DeployMarker = { t: number; label: string; failed: boolean };

export function ResponseChart({
  points,
  spanMs,
  markers = [],
}: {
  points: Point[];
  spanMs: number;
  markers?: DeployMarker[];
}) {
  if (points.every((p) => p.p50 === null)) {
    return (
      <p className="flex h-64 items-center justify-center text-sm text-slate-500">
        No response times in this range yet.
      </p>
    );
  }
  return (
    <div className="h-64" data-testid="response-chart">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={["dataMin", "dataMax"]}
            tickFormatter={(t: number) => tick(t, spanMs)}
            fontSize={11}
          />
          <YAxis unit=" ms" fontSize={11} width={64} />
          <Tooltip
            labelFormatter={(t) =>
              `${new Date(Number(t)).toISOString().slice(0, 16).replace("T", " ")} UTC`
            }
            formatter={(v) => (v === null ? "—" : `${v} ms`)}
          />
          <Legend />
          {markers.map((m) => (
            <ReferenceLine
              key={`${m.t}-${m.label}`}
              x={m.t}
              stroke={m.failed ? "#b91c1c" : "#64748b"}
              strokeDasharray="4 2"
              label={{ value: m.label, position: "insideTopLeft", fontSize: 10, fill: "#475569" }}
            />
          ))}
          <Line
            type="monotone"
            dataKey="p50"
            name="p50"
            stroke="#0284c7"
            dot={false}
            isAnimationActive={false}
            connectNulls
          />
          <Line
            type="monotone"
            dataKey="p95"
            name="p95"
            stroke="#b45309"
            dot={false}
            isAnimationActive={false}
            connectNulls
          />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
