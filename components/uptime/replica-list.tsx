"use client";

import Link from "next/link";
import { StatusPill } from "@/components/status-pill";
import { Pager } from "@/components/ui/pager";
import { Table } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { formatDuration } from "@/lib/duration";
import { formatAgo } from "@/lib/format";
import { exploreHref } from "@/lib/metrics/explore";
import {
  REPLICAS_PAGE,
  replicaHeadline,
  type ReplicaHealthView,
  type ReplicaRow,
} from "@/lib/replica-health";
import { formatUptime } from "@/lib/uptime";
import { ReplicaBar } from "./replica-bar";
import { replicaTone } from "./status-dot";
import { useReplicaHealth } from "./use-replica-health";

const COLUMNS = ["Replica", "Health", "Last scrape", "24 h", "Last 24 h"];

function targetsHref(params: Record<string, string>): string {
  return `/metrics/targets?${new URLSearchParams(params)}`;
}

function ReplicaCells({
  r,
  now,
  timeZone,
  end,
}: {
  r: ReplicaRow;
  now: number;
  timeZone: string;
  end: string | null;
}) {
  return (
    <>
      <td className="px-3 py-2 max-sm:w-full" data-label="Replica">
        <div className="break-all font-medium">{r.instance}</div>
        <div className="text-xs text-slate-500">
          {r.job} · every {formatDuration(r.intervalMs)} ·{" "}
          <Link href={targetsHref({ job: r.job, q: r.instance })} className="underline">
            target
          </Link>{" "}
          ·{" "}
          <Link
            href={exploreHref(`up{job="${r.job}",instance="${r.instance}"}`, "24h")}
            className="underline"
          >
            explore
          </Link>
        </div>
        {/* Under the name, so a phone shows why without scrolling. */}
        {r.lastError && r.health !== "up" ? (
          <div className="mt-1 break-words text-sm text-red-700" data-testid="replica-error">
            {r.lastError}
          </div>
        ) : null}
      </td>
      <td className="px-3 py-2" data-label="Health">
        <StatusPill status={r.health} />
        {r.health === "stale" && r.lastResult ? (
          <div className="mt-1 text-xs text-slate-500">last scrape {r.lastResult}</div>
        ) : null}
      </td>
      <td className="whitespace-nowrap px-3 py-2" data-label="Last scrape">
        <div>{formatAgo(r.lastScrapeAt, now)}</div>
        {r.lastScrapeAt ? (
          <div className="text-xs text-slate-500">
            <Time value={r.lastScrapeAt} timeZone={timeZone} />
          </div>
        ) : null}
      </td>
      <td className="px-3 py-2 tabular-nums" data-label="24 h" data-testid="replica-availability">
        {formatUptime(r.availability)}
      </td>
      <td className="px-3 py-2 max-sm:w-full" data-label="Last 24 h">
        {end && r.buckets.length ? (
          <ReplicaBar buckets={r.buckets} end={end} timeZone={timeZone} />
        ) : (
          <span className="text-slate-400">—</span>
        )}
      </td>
    </>
  );
}

/**
 * The replicas behind a monitor's service and environment, live: how many are up, and
 * per replica its health now, last scrape, 24 h availability and bar, and the reason
 * under one that is down. A monitor behind a load balancer stays green while one
 * replica is down; this is where that shows.
 */
export function ReplicaList({
  initial,
  timeZone,
  pageHref,
}: {
  initial: ReplicaHealthView;
  timeZone: string;
  /** The page's URL without the replica page (the pager adds `replicas=`). */
  pageHref: { path: string; search: Record<string, string> };
}) {
  const view = useReplicaHealth(initial);
  const { counts, rows, history } = view;
  const now = Date.parse(view.at);
  const jobs = [...new Set(rows.map((r) => r.job))];
  const hrefFor = (page: number) => {
    const q = new URLSearchParams(pageHref.search);
    if (page > 1) q.set("replicas", String(page));
    else q.delete("replicas");
    return q.size ? `${pageHref.path}?${q}` : pageHref.path;
  };
  const from = rows.length ? (view.page - 1) * REPLICAS_PAGE + 1 : 0;
  const to = from ? from + rows.length - 1 : 0;
  return (
    <section
      className="rounded-lg border border-slate-200 bg-white p-4"
      aria-labelledby="replicas-heading"
      data-testid="replicas"
    >
      <div className="mb-3 flex flex-wrap items-start justify-between gap-x-4 gap-y-2">
        <div>
          <h2 id="replicas-heading" className="font-semibold">
            Replicas
          </h2>
          <p
            className={`text-sm font-medium ${replicaTone(counts)}`}
            data-testid="replica-headline"
          >
            {replicaHeadline(counts)}
          </p>
        </div>
        <div className="flex flex-wrap gap-x-3 gap-y-1 text-sm">
          <Link
            href={targetsHref({ service: view.service, environment: view.environment })}
            className="underline"
          >
            Scrape targets
          </Link>
          {jobs.length ? (
            <Link
              href={exploreHref(
                jobs.length === 1 ? `up{job="${jobs[0]}"}` : `up{job=~"${jobs.join("|")}"}`,
                "24h",
              )}
              className="underline"
            >
              Explore up
            </Link>
          ) : null}
        </div>
      </div>
      {counts.up < counts.total ? (
        <p className="mb-3 text-xs text-slate-600">
          A monitor behind a load balancer can stay up while a replica is down: the balancer sends
          its checks to the replicas that answer. See the{" "}
          <Link
            href="/runbooks/uptime-incident#a-replica-is-down-while-the-monitor-is-green"
            className="underline"
          >
            runbook
          </Link>
          .
        </p>
      ) : null}
      {history.note ? (
        <p className="mb-3 text-xs text-amber-800" data-testid="replica-history-note">
          {history.note}
        </p>
      ) : null}
      <Table columns={COLUMNS} testId="replica-table" cards>
        {rows.map((r) => (
          <tr
            key={`${r.job}\0${r.instance}`}
            // On a phone a card: the name and the bar across, the three figures side by side (over
            // table-cards' display: block, hence the !).
            className="border-t border-slate-100 align-top max-sm:flex! max-sm:flex-wrap"
            data-testid={`replica-${r.job}-${r.instance}`}
            data-health={r.health}
          >
            <ReplicaCells r={r} now={now} timeZone={timeZone} end={history.end} />
          </tr>
        ))}
      </Table>
      <p className="mt-2 text-[11px] text-slate-500">
        Health from each replica&apos;s last scrape; 24 h is the share of scrapes that succeeded
        {history.datasource === "prometheus" ? ", read from the Prometheus datasource" : ""}. Stale:
        no scrape for three intervals.
      </p>
      {view.pages > 1 ? (
        <div className="mt-2">
          <Pager
            from={from}
            to={to}
            total={counts.total}
            noun="replicas"
            prevHref={view.page > 1 ? hrefFor(view.page - 1) : null}
            nextHref={view.page < view.pages ? hrefFor(view.page + 1) : null}
            testId="replica-pager"
          />
        </div>
      ) : null}
    </section>
  );
}
