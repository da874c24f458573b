import "server-only";
import type { BackupJobConfig } from "@/server/config/schema";

type Candidate = { id: number; startedAt: Date; status: string };

const DAY = 86_400_000;

function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const year = t.getUTCFullYear();
  const week = Math.ceil(((t.getTime() - Date.UTC(year, 0, 1)) / DAY + 1) / 7);
  return `${year}-W${week}`;
}

/**
 * Which backups retention deletes. Kept: everything younger than `days`; the newest
 * verified backup, always; and with grandfather-father-son settings the newest backup
 * of each of the last N days, ISO weeks and months. Failed backups (kept apart for
 * inspection) expire after `days` like the others.
 */
export function backupsToDelete(
  all: Candidate[],
  policy: BackupJobConfig["retention"],
  now: number,
): number[] {
  const live = all
    .filter((b) => b.status === "verified" || b.status === "failed")
    .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
  const keep = new Set<number>();
  const newestVerified = live.find((b) => b.status === "verified");
  if (newestVerified) keep.add(newestVerified.id);
  const verified = live.filter((b) => b.status === "verified");
  const keepNewestPer = (key: (d: Date) => string, count: number) => {
    const seen = new Set<string>();
    for (const b of verified) {
      const k = key(b.startedAt);
      if (seen.has(k)) continue;
      if (seen.size >= count) break;
      seen.add(k);
      keep.add(b.id);
    }
  };
  keepNewestPer((d) => d.toISOString().slice(0, 10), policy.keepDaily);
  keepNewestPer(isoWeek, policy.keepWeekly);
  keepNewestPer((d) => d.toISOString().slice(0, 7), policy.keepMonthly);
  const cutoff = now - policy.days * DAY;
  return live.filter((b) => !keep.has(b.id) && b.startedAt.getTime() < cutoff).map((b) => b.id);
}
