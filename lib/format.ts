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
