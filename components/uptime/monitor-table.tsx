"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { Table } from "@/components/ui/table";
import { formatUptime } from "@/lib/uptime";
import { LIST_RECENT_INCIDENTS, type MonitorListView } from "@/lib/live-views";
import { Time } from "@/components/ui/time";
import { formatDuration } from "@/lib/duration";
import { formatAgo } from "@/lib/format";
import { MONITOR_PAGE_SIZE, monitorFilterOf, type MonitorFilter } from "@/lib/monitor-list";
import { Pager } from "@/components/ui/pager";
import { STATUS_STYLE } from "./status-dot";
import { useMonitorList } from "./use-uptime-status";

type Option = { id: string; name: string };

const STATUSES = ["down", "pending", "late", "degraded", "up", "paused", "unknown", "new"] as const;

/** The list's URL: its filters and page, "" and page 1 left out. */
function listHref(path: string, f: MonitorFilter, page: number): string {
  const query = new URLSearchParams(Object.entries(f).filter(([, v]) => v));
  if (page > 1) query.set("page", String(page));
  return query.size ? `${path}?${query}` : path;
}

/**
 * One page of monitors with live status, filtered by environment, service, status and
 * a search (kept in the URL). The server filters and pages, in the first render and in
 * every live poll alike (the poll asks for this filter and page), so neither the HTML
 * nor a poll holds more than one page whatever the number of monitors.
 */
export function MonitorTable({
  initial,
  filter: urlFilter,
  environments,
  services,
  timeZone: tz,
}: {
  /** The page's monitors as the server read them, for `filter`. */
  initial: MonitorListView;
  filter: MonitorFilter;
  /** The viewer's zone (from the server, so both renders agree). */
  timeZone: string;
  environments: Option[];
  services: Option[];
}) {
  const live = useMonitorList({ kind: "list", filter: urlFilter, page: initial.page }, initial);
  const router = useRouter();
  const pathname = usePathname();
  // The controls answer at once; the URL follows (a search after a short pause), and the
  // server's page for it replaces the rows, so filters survive reloads and links.
  const [filter, setFilter] = useState(urlFilter);
  const typing = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => clearTimeout(typing.current ?? undefined), []);
  // The URL can also change under the controls (a link to /uptime, back and forward): then
  // they follow it. When it is the filter they asked for, they keep what was typed since.
  const urlKey = listHref("", urlFilter, 1);
  const asked = useRef(urlKey);
  useEffect(() => {
    if (urlKey === asked.current) return;
    asked.current = urlKey;
    clearTimeout(typing.current ?? undefined);
    setFilter(monitorFilterOf(Object.fromEntries(new URLSearchParams(urlKey))));
  }, [urlKey]);
  const pending = (Object.keys(filter) as (keyof MonitorFilter)[]).some(
    (k) => filter[k].trim() !== urlFilter[k],
  );
  const shown = live.monitors;
  const count = live.total;
  const shownPage = live.page;
  const first = shown.length ? (shownPage - 1) * MONITOR_PAGE_SIZE + 1 : 0;
  const last = first ? first + shown.length - 1 : 0;
  const names = new Map(Object.entries(live.incidentNames));
  const set = (key: keyof MonitorFilter, value: string) => {
    const next = { ...filter, [key]: value };
    setFilter(next);
    clearTimeout(typing.current ?? undefined);
    const go = () => {
      asked.current = listHref("", monitorFilterOf(next), 1);
      router.replace(listHref(pathname, next, 1));
    };
    if (key === "q") typing.current = setTimeout(go, 250);
    else go();
  };
  const at = live.at;
  const shownIncidents = live.recentIncidents;
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
      {/* Dimmed while the rows are the previous filter's and the new ones are on their way. */}
      <div aria-busy={pending} className={pending ? "opacity-60 transition-opacity" : undefined}>
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
                  {formatAgo(m.lastCheckAt, now)}
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
      </div>
      <h2 className="pt-2 font-semibold">Recent incidents</h2>
      <p className="text-xs text-slate-500">
        The {LIST_RECENT_INCIDENTS} newest of the monitors these filters keep; each monitor&apos;s
        page lists all of its incidents.
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
