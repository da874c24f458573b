"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";
import { Table } from "@/components/ui/table";
import { formatUptime } from "@/lib/uptime";
import type { IncidentSummaryView, UptimeStatusView } from "@/lib/uptime-view";
import { Time } from "@/components/ui/time";
import { formatDuration } from "@/lib/duration";
import { filterMonitors, MONITOR_PAGE_SIZE, pageOf, type MonitorFilter } from "@/lib/monitor-list";
import { Pager } from "@/components/ui/pager";
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

/** The list's URL: its filters and page, "" and page 1 left out. */
function listHref(path: string, f: MonitorFilter, page: number): string {
  const query = new URLSearchParams(Object.entries(f).filter(([, v]) => v));
  if (page > 1) query.set("page", String(page));
  return query.size ? `${path}?${query}` : path;
}

/**
 * One page of monitors with live status, filtered by environment, service, status and
 * a search (kept in the URL). The server filters and pages the first render, so the
 * HTML holds one page whatever the number of monitors; once the live state brings
 * every monitor, the same filter and page are applied to it here.
 */
export function MonitorTable({
  initial,
  total,
  page,
  filter: urlFilter,
  environments,
  services,
  incidents,
  incidentNames,
  timeZone: tz,
}: {
  /** The page's monitors as the server read them. */
  initial: UptimeStatusView;
  /** How many monitors the server's filter kept. */
  total: number;
  page: number;
  filter: MonitorFilter;
  /** The viewer's zone (from the server, so both renders agree). */
  timeZone: string;
  environments: Option[];
  services: Option[];
  /** Recent incidents of the monitors the filters keep. */
  incidents: IncidentSummaryView[];
  incidentNames: Record<string, string>;
}) {
  const live = useUptimeStatus(initial);
  const router = useRouter();
  const pathname = usePathname();
  // Local state answers at once; the URL follows, so filters survive reloads and links.
  const [filter, setFilter] = useState(urlFilter);
  const fromLive = live !== initial;
  const kept = fromLive ? filterMonitors(live.monitors, filter) : null;
  const list = kept
    ? pageOf(kept, page)
    : pageOf(initial.monitors, 1, Math.max(1, initial.monitors.length));
  const shown = list.items;
  const count = kept ? kept.length : total;
  const first = kept ? list.from : shown.length ? (page - 1) * MONITOR_PAGE_SIZE + 1 : 0;
  const last = first ? first + shown.length - 1 : 0;
  const shownPage = kept ? list.page : page;
  const keptIds = kept ? new Set(kept.map((m) => m.id)) : null;
  const names = new Map([
    ...Object.entries(incidentNames),
    ...shown.map((m) => [m.id, m.name] as [string, string]),
  ]);
  const set = (key: keyof MonitorFilter, value: string) => {
    const next = { ...filter, [key]: value };
    setFilter(next);
    router.replace(listHref(pathname, next, 1));
  };
  const at = live.at;
  const shownIncidents = keptIds ? incidents.filter((i) => keptIds.has(i.monitorId)) : incidents;
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
        <label className="text-sm">
          <span className="block text-slate-600">Search</span>
          <input
            type="search"
            value={filter.q}
            onChange={(e) => set("q", e.target.value)}
            placeholder="Name, id or service"
            maxLength={200}
            className="mt-1 rounded-md border border-slate-300 bg-white px-2 py-1.5"
          />
        </label>
      </div>
      <Pager
        from={first}
        to={last}
        total={count}
        noun="monitors"
        prevHref={shownPage > 1 ? listHref(pathname, filter, shownPage - 1) : null}
        nextHref={last < count ? listHref(pathname, filter, shownPage + 1) : null}
        testId="monitor-pager"
      />
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
            : count === 0 && !Object.values(filter).some(Boolean)
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
        empty={shownIncidents.length ? undefined : "No incidents."}
      >
        {shownIncidents.map((i) => (
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
