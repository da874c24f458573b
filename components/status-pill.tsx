const STYLES = {
  up: "bg-green-100 text-green-800",
  ok: "bg-green-100 text-green-800",
  succeeded: "bg-green-100 text-green-800",
  success: "bg-green-100 text-green-800",
  degraded: "bg-amber-100 text-amber-800",
  running: "bg-sky-100 text-sky-800",
  queued: "bg-slate-100 text-slate-700",
  denied: "bg-amber-100 text-amber-800",
  down: "bg-red-100 text-red-800",
  failed: "bg-red-100 text-red-800",
  failure: "bg-red-100 text-red-800",
  canceled: "bg-slate-100 text-slate-600",
  retrying: "bg-amber-100 text-amber-800",
  maintenance: "bg-sky-100 text-sky-800",
  unknown: "bg-slate-100 text-slate-600",
  // A replica whose last scrape is too old to say anything: its scrape loop has stopped.
  stale: "bg-amber-100 text-amber-800",
} as const;

const MARK: Partial<Record<keyof typeof STYLES, string>> = {
  up: "●",
  ok: "●",
  down: "▲",
  failed: "▲",
  degraded: "◆",
  stale: "◆",
};

/** A status word with colour and a shape, so it reads without colour too. */
export function StatusPill({ status }: { status: string }) {
  const key = (status in STYLES ? status : "unknown") as keyof typeof STYLES;
  return (
    <span
      className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ${STYLES[key]}`}
    >
      {MARK[key] ? <span aria-hidden>{MARK[key]}</span> : null}
      {status}
    </span>
  );
}
