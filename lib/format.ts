import { formatZonedShort } from "@/lib/time-zone";

/** 1536 → "1.5 KiB": binary units, as du and the platform's volume sizes use. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** "2 Dec 2026, 11:32 UTC": a moment for people to read, with its zone named. */
export function formatHumanTime(at: string | Date, timeZone = "UTC"): string {
  const d = typeof at === "string" ? new Date(at) : at;
  if (Number.isNaN(d.getTime())) return String(at);
  return `${formatZonedShort(d, timeZone)} ${timeZone}`;
}

/** "12 s ago", "4 min ago", "3 h ago": how long before `now` a moment was; "never" for none. */
export function formatAgo(iso: string | null, now: number): string {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 60
    ? `${s} s ago`
    : s < 3600
      ? `${Math.round(s / 60)} min ago`
      : `${Math.round(s / 3600)} h ago`;
}
