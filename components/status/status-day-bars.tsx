import type { PublicDay } from "@/lib/status-page";
import { formatUptime } from "@/lib/uptime";

function colour(uptime: number | null): string {
  if (uptime === null) return "bg-slate-200";
  if (uptime >= 0.999) return "bg-green-500";
  if (uptime >= 0.99) return "bg-amber-400";
  return "bg-red-500";
}

/** One segment per UTC day, oldest first: green from 99.9 %, amber from 99 %, red below, grey without data. */
export function StatusDayBars({ name, days }: { name: string; days: PublicDay[] }) {
  return (
    <div
      className="flex h-8 min-w-0 items-stretch gap-px"
      role="list"
      aria-label={`${name}: uptime per day, last ${days.length} days`}
      data-testid="status-bars"
    >
      {days.map((d) => {
        const label = `${d.day}: ${d.uptime === null ? "no data" : formatUptime(d.uptime)}`;
        return (
          <div
            key={d.day}
            role="listitem"
            title={label}
            aria-label={label}
            className={`min-w-0 flex-1 rounded-[1px] ${colour(d.uptime)}`}
          />
        );
      })}
    </div>
  );
}
