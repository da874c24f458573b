import { formatUptime } from "@/lib/uptime";

type Day = { day: number; uptime: number | null; down: number; maintenance: number };

function colour(d: Day): string {
  if (d.uptime === null) return d.maintenance > 0 ? "bg-sky-300" : "bg-slate-200";
  if (d.uptime >= 0.999) return "bg-green-500";
  if (d.uptime >= 0.99) return "bg-amber-400";
  return "bg-red-500";
}

/** One bar per UTC day: green from 99.9 %, amber from 99 %, red below; grey without data. */
export function UptimeBars({ days }: { days: Day[] }) {
  return (
    <div>
      <div className="flex h-8 items-stretch gap-px" data-testid="uptime-bars">
        {days.map((d) => {
          const label = `${new Date(d.day).toISOString().slice(0, 10)}: ${d.uptime === null ? "no data" : formatUptime(d.uptime)}${d.maintenance ? ", maintenance" : ""}`;
          return (
            <div
              key={d.day}
              title={label}
              aria-label={label}
              className={`flex-1 rounded-sm ${colour(d)}`}
            />
          );
        })}
      </div>
      <div className="mt-1 flex justify-between text-[11px] text-slate-500">
        <span>{days.length} days ago</span>
        <span>today</span>
      </div>
    </div>
  );
}
