"use client";

import Link from "next/link";
import { useLiveAlerts } from "@/components/live/live-state";
import { SeverityBadge } from "./severity-badge";

/** The Overview's firing alerts (the newest few, and how many), live: what the on-call sees first. */
export function FiringAlerts() {
  const { firing, newest: alerts } = useLiveAlerts();
  const total = firing.total;
  return (
    <section
      aria-label="Firing alerts"
      className={`rounded-lg border bg-white p-4 text-sm ${firing.critical > 0 ? "border-red-300" : "border-slate-200"}`}
      data-testid="firing-alerts"
    >
      <h2 className="mb-2 font-semibold">
        <Link href="/alerts" className="hover:underline">
          Firing alerts
        </Link>{" "}
        <span className="font-normal text-slate-500" data-testid="firing-count">
          ({total})
        </span>
      </h2>
      {total === 0 ? (
        <p className="text-green-700">Nothing is firing.</p>
      ) : (
        <ul className="space-y-1">
          {alerts.map((a) => (
            <li key={a.id} className="flex min-w-0 items-start gap-2">
              <SeverityBadge severity={a.severity} />
              <Link href={`/alerts/${a.id}`} className="min-w-0 break-words hover:underline">
                {a.summary}
              </Link>
              {a.ackedBy ? <span className="text-xs text-slate-500">(ack {a.ackedBy})</span> : null}
              {a.silencedBy ? <span className="text-xs text-slate-500">(silenced)</span> : null}
            </li>
          ))}
          {total > alerts.length ? (
            <li>
              <Link href="/alerts" className="text-xs underline">
                {total - alerts.length} more
              </Link>
            </li>
          ) : null}
        </ul>
      )}
    </section>
  );
}
