import { TimeZoneNote } from "@/components/time-zone-note";

export function PageHeader({
  title,
  description,
  actions,
  timeZone,
}: {
  title: string;
  description?: string;
  /** Names the zone the page's times are in ("Times in Europe/Berlin · change"). */
  timeZone?: string;
  actions?: React.ReactNode;
}) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {description ? <p className="mt-1 text-sm text-slate-600">{description}</p> : null}
        {timeZone ? (
          <div className="mt-1">
            <TimeZoneNote timeZone={timeZone} />
          </div>
        ) : null}
      </div>
      {actions ? <div className="flex items-center gap-2">{actions}</div> : null}
    </div>
  );
}
