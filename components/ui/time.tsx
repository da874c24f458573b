import { formatZoned } from "@/lib/time-zone";

/**
 * A moment in the viewer's zone (the page names the zone once), 24-hour; hovering shows
 * the zone and UTC. Client components get `timeZone` as a prop from their page, so a
 * time never renders in the browser's zone on one side and another on the other.
 */
export function Time({ value, timeZone }: { value: Date | string | null; timeZone: string }) {
  if (!value) return <span className="text-slate-400">—</span>;
  const date = typeof value === "string" ? new Date(value) : value;
  const iso = date.toISOString();
  return (
    <time dateTime={iso} title={`${timeZone}; ${iso.slice(0, 19).replace("T", " ")} UTC`}>
      {formatZoned(date, timeZone)}
    </time>
  );
}
