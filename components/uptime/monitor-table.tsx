"use client";

import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { Table } from "@/components/ui/table";
import { formatUptime } from "@/lib/uptime";
import type { IncidentSummaryView, UptimeStatusView } from "@/lib/uptime-view";
import { Time } from "@/components/ui/time";
import { formatDuration } from "@/lib/duration";
import { STATUS_STYLE } from "./status-dot";
import { useUptimeStatus } from "./use-uptime-status";

type Option = { id: string; name: string };

function ago(iso: string | null, now: number): string {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 60
    ? `${s} s ago`
    : s < 3600
      ? `${Math.round(s / 60)} min ago`
      : `${Math.round(s / 3600)} h ago`;
}

const STATUSES = ["down", "pending", "late", "degraded", "up", "paused", "unknown", "new"] as const;

/** Every monitor with live status, filterable by environment, service and status (kept in the URL). */
export function MonitorTable({
  initial,
  environments,
  services,
  incidents,
  timeZone: tz,
}: {
  initial: UptimeStatusView;
  /** The viewer's zone (from the server, so both renders agree). */
  timeZone: string;
  environments: Option[];
  services: Option[];
  /** Recent incidents of all monitors; shown for the monitors the filters keep. */
  incidents: IncidentSummaryView[];
}) {
  const { monitors, at } = useUptimeStatus(initial);
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  // Local state answers at once; the URL follows, so filters survive reloads and links.
  const [filter, setFilter] = useState(() => ({
    environment: params.get("environment") ?? "",
    service: params.get("service") ?? "",
    status: params.get("status") ?? "",
  }));
  const shown = monitors.filter(
    (m) =>
      (!filter.environment || m.environment === filter.environment) &&
      (!filter.service || m.service === filter.service) &&
      (!filter.status || m.status === filter.status),
  );
  const shownIds = new Set(shown.map((m) => m.id));
  const names = new Map(monitors.map((m) => [m.id, m.name]));
  const set = (key: keyof typeof filter, value: string) => {
    const next = { ...filter, [key]: value };
    setFilter(next);
    const query = new URLSearchParams(Object.entries(next).filter(([, v]) => v));
    router.replace(query.size ? `${pathname}?${query}` : pathname);
  };
  const now = Date.parse(at);
  const select = (label: string, key: keyof typeof filter, options: Option[]) => (
    <label className="text-sm">
      <span className="block text-slate-600">{label}</span>
      <select
        value={filter[key]}
        onChange={(e) => set(key, e.target.value)}
        className="mt-1 rounded-md border border-slate-300 bg-white px-2 py-1.5"
      >
        <option value="">All</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div className="space-y-4">
      <div
        className="flex flex-wrap gap-3 rounded-lg border border-slate-200 bg-white p-4"
        role="group"
        aria-label="Filters"
      >
        {select("Environment", "environment", environments)}
        {select("Service", "service", services)}
        {select(
          "Status",
          "status",
          STATUSES.map((s) => ({ id: s, name: STATUS_STYLE[s].label })),
        )}
      </div>
      <Table
        columns={[
          "Monitor",
          "Status",
          "Last check",
          "24 h",
          "7 d",
          "30 d",
          "90 d",
          "p95 (24 h)",
          "TLS",
        ]}
        testId="monitor-table"
        empty={
          shown.length > 0
            ? undefined
            : monitors.length === 0
              ? "No monitors configured. Add them under monitors: in opsdeck.yaml."
              : "No monitors match these filters."
        }
      >
        {shown.map((m) => {
          const style = STATUS_STYLE[m.status];
          return (
            <tr
              key={m.id}
              className="border-t border-slate-100 align-top"
              data-testid={`monitor-row-${m.id}`}
            >
              <td className="px-3 py-2">
                <Link href={`/uptime/${m.id}`} className="font-medium underline">
                  {m.name}
                </Link>
                <div className="text-xs text-slate-500">
                  {m.type} · {services.find((s) => s.id === m.service)?.name ?? m.service} ·{" "}
                  {environments.find((e) => e.id === m.environment)?.name ?? m.environment}
                </div>
              </td>
              <td className="px-3 py-2">
                <span
                  className={`rounded-full border px-2 py-0.5 text-xs font-medium ${style.cell} ${style.text}`}
                >
                  {style.label}
                </span>
                {m.lastError && m.status !== "up" ? (
                  <div className="mt-1 max-w-xs text-xs text-red-700">{m.lastError}</div>
                ) : null}
              </td>
              <td className="whitespace-nowrap px-3 py-2 text-xs">
                {ago(m.lastCheckAt, now)}
                {m.lastResponseMs !== null ? (
                  <div className="text-slate-500">{m.lastResponseMs} ms</div>
                ) : null}
              </td>
              {(["24h", "7d", "30d", "90d"] as const).map((r) => (
                <td key={r} className="px-3 py-2 tabular-nums" data-testid={`uptime-${r}`}>
                  {formatUptime(m.uptime[r])}
                  {m.uptimeSince[r] ? (
                    <div className="text-[11px] text-slate-500" title={m.uptimeSince[r]}>
                      since {m.uptimeSince[r].slice(5, 16).replace("T", " ")} UTC
                    </div>
                  ) : null}
                </td>
              ))}
              <td className="px-3 py-2 tabular-nums">
                {m.p95Ms24h !== null ? `${m.p95Ms24h} ms` : "—"}
              </td>
              <td
                className={`px-3 py-2 tabular-nums ${m.tlsDaysLeft !== null && m.tlsDaysLeft < 21 ? "text-amber-700" : ""}`}
              >
                {m.tlsDaysLeft !== null ? `${m.tlsDaysLeft} d` : "—"}
              </td>
            </tr>
          );
        })}
      </Table>
      <h2 className="pt-2 font-semibold">Recent incidents</h2>
      <p className="text-xs text-slate-500">
        The 30 newest; each monitor&apos;s page lists all of its incidents.
      </p>
      <Table
        columns={["Monitor", "Started", "Duration", "Cause"]}
        testId="recent-incidents"
        empty={incidents.some((i) => shownIds.has(i.monitorId)) ? undefined : "No incidents."}
      >
        {incidents
          .filter((i) => shownIds.has(i.monitorId))
          .map((i) => (
            <tr key={i.id} className="border-t border-slate-100 align-top">
              <td className="px-3 py-2">
                <Link href={`/uptime/${i.monitorId}`} className="underline">
                  {names.get(i.monitorId) ?? i.monitorId}
                </Link>
              </td>
              <td className="whitespace-nowrap px-3 py-2">
                <Time timeZone={tz} value={i.openedAt} />
              </td>
              <td className="px-3 py-2">
                {formatDuration(i.durationMs)}
                {i.closedAt ? "" : " (open)"}
              </td>
              <td className="px-3 py-2 text-red-800">{i.cause}</td>
            </tr>
          ))}
      </Table>
    </div>
  );
}
