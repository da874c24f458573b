import Link from "next/link";

/** "Times in Europe/Berlin · change": said once per page, near the top. */
export function TimeZoneNote({ timeZone }: { timeZone: string }) {
  return (
    <p className="text-xs text-slate-500" data-testid="time-zone-note">
      Times in <span className="font-medium text-slate-700">{timeZone}</span> ·{" "}
      <Link href="/settings/preferences" className="underline hover:text-slate-900">
        change
      </Link>
    </p>
  );
}
