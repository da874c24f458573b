"use client";

import Link from "next/link";
import { replicaHeadline, type ReplicaSummaryView } from "@/lib/replica-health";
import { replicaTone } from "./status-dot";
import { useReplicaSummary } from "./use-replica-health";

/**
 * One line per service × environment with scrape targets, "Navi backend · Staging: 1 of 2
 * replicas up", troubled ones first, each linking to its scrape targets; live. Nothing
 * when no target matches: most monitors watch services that are not scraped.
 */
export function ReplicaSummary({
  initial,
  filter,
  names,
  troubledOnly = false,
}: {
  initial: ReplicaSummaryView;
  filter: { service: string; environment: string };
  names: { services: Record<string, string>; environments: Record<string, string> };
  /** Only the groups with a replica not up, and one line when there is none (the Overview). */
  troubledOnly?: boolean;
}) {
  const view = useReplicaSummary(filter, initial);
  if (view.total === 0) return null;
  const groups = troubledOnly
    ? view.groups.filter((g) => g.counts.up < g.counts.total)
    : view.groups;
  const more = (troubledOnly ? view.troubled : view.total) - groups.length;
  return (
    <section
      aria-labelledby="replica-summary-heading"
      className="rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm"
      data-testid="replica-summary"
    >
      <h2
        id="replica-summary-heading"
        className="text-xs font-semibold uppercase tracking-wide text-slate-500"
      >
        Replicas
      </h2>
      {groups.length === 0 ? (
        <p className="mt-1 text-green-800" data-testid="replica-all-up">
          {replicaHeadline(view.counts)}
        </p>
      ) : (
        <ul className="mt-1 flex flex-wrap gap-x-6 gap-y-1">
          {groups.map((g) => (
            <li
              key={`${g.service}/${g.environment}`}
              data-testid={`replica-group-${g.service}-${g.environment}`}
            >
              <Link
                href={`/metrics/targets?${new URLSearchParams({ service: g.service, environment: g.environment })}`}
                className={`underline ${replicaTone(g.counts)}`}
              >
                {names.services[g.service] ?? g.service} ·{" "}
                {names.environments[g.environment] ?? g.environment}: {replicaHeadline(g.counts)}
              </Link>
            </li>
          ))}
          {more > 0 ? (
            <li className="text-slate-600">
              and {more} more on{" "}
              <Link href="/metrics/targets" className="underline">
                Scrape targets
              </Link>
            </li>
          ) : null}
        </ul>
      )}
    </section>
  );
}
