import { utcMinute } from "@/lib/uptime";
import type { DownBand } from "./response-chart";

type Ping = { at: number; status: "up" | "degraded" | "down" };

/** A heartbeat's pings along the range (green ok, red failed or overdue), down periods as red bands. */
export function PingTimeline({
  pings,
  bands,
  range,
}: {
  pings: Ping[];
  bands: DownBand[];
  range: { from: number; to: number };
}) {
  const span = range.to - range.from;
  const pos = (t: number) => `${(Math.min(Math.max(t - range.from, 0), span) / span) * 100}%`;
  const shown = pings.filter((p) => p.at >= range.from && p.at <= range.to);
  return (
    <div>
      <div
        className="relative h-10 rounded border border-slate-200 bg-slate-50"
        data-testid="ping-timeline"
        data-down-bands={bands.length}
      >
        {bands.map((b) => (
          <div
            key={b.from}
            className="down-band absolute inset-y-0 bg-red-200/80"
            style={{ left: pos(b.from), width: `max(2px, calc(${pos(b.to)} - ${pos(b.from)}))` }}
            title={`down ${utcMinute(b.from)} – ${b.open ? "now" : utcMinute(b.to)}`}
          />
        ))}
        {shown.map((p) => (
          <div
            key={p.at}
            className={`absolute top-2 h-6 w-1 -translate-x-1/2 rounded ${p.status === "down" ? "bg-red-600" : "bg-green-600"}`}
            style={{ left: pos(p.at) }}
            title={`${p.status === "down" ? "failed or overdue" : "ping"} ${utcMinute(p.at)}`}
          />
        ))}
      </div>
      <div className="mt-1 flex justify-between text-[11px] text-slate-500">
        <span>{utcMinute(range.from)}</span>
        <span>now</span>
      </div>
    </div>
  );
}
