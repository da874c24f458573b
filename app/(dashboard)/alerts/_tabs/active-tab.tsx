import Link from "next/link";
import { ActionButton } from "@/components/action-button";
import { PageLinks } from "@/components/alerts/page-links";
import { ResolveButton } from "@/components/alerts/resolve-button";
import { SeverityBadge } from "@/components/alerts/severity-badge";
import { SilenceForm } from "@/components/alerts/silence-form";
import { LiveRefresh } from "@/components/live/live-refresh";
import { formatDuration } from "@/lib/duration";
import { silenceMatchersFor, type ActiveAlertView } from "@/lib/alerts/view";
import { firstParam, hrefWith, intParam } from "@/lib/search-params";
import { ackAlert } from "@/server/actions/ack-alert";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { activeAlerts } from "@/server/queries/alerts";
import type { TabProps } from "./tab-props";

function Age({ from, now }: { from: string | null; now: number }) {
  if (!from) return <span className="text-slate-400">—</span>;
  return <span title={from}>{formatDuration(now - Date.parse(from))}</span>;
}

/** Firing and pending alerts, newest first, a page at a time, grouped as they are notified. */
export function ActiveTab({ search, now, canOperate }: TabProps) {
  const after = firstParam(search.after);
  const page = activeAlerts(getDb(), getConfig().config, {
    now,
    after,
    limit: intParam(search.limit),
  });
  const links = (
    <PageLinks
      testId="active-pages"
      first={after ? hrefWith("/alerts", search, { after: undefined }) : undefined}
      next={page.next ? hrefWith("/alerts", search, { after: page.next }) : undefined}
      label="Older alerts"
    />
  );
  if (page.total === 0)
    return (
      <>
        <LiveRefresh on="alerts" />
        <p className="rounded-lg border border-green-200 bg-green-50 p-6 text-center text-green-800">
          Nothing is firing.
        </p>
      </>
    );
  const groups = new Map<string, ActiveAlertView[]>();
  for (const a of page.items) groups.set(a.group, [...(groups.get(a.group) ?? []), a]);
  return (
    <div className="space-y-4">
      {/* Refreshing a later page would move it under the reader; only the first refreshes. */}
      {after ? null : <LiveRefresh on="alerts" />}
      <p className="text-sm text-slate-600" data-testid="active-count">
        {page.total} firing or pending
        {page.total > page.items.length ? `; showing ${page.items.length}, newest first` : ""}
      </p>
      {[...groups.entries()].map(([group, items]) => (
        <section
          key={group}
          aria-label={group}
          className="rounded-lg border border-slate-200 bg-white"
        >
          <h2 className="border-b border-slate-100 px-4 py-2 text-sm font-semibold">
            {group}{" "}
            <span className="font-normal text-slate-500">
              ({items.length} alert{items.length === 1 ? "" : "s"})
            </span>
          </h2>
          <ul className="divide-y divide-slate-100">
            {items.map((a) => (
              <li
                key={a.id}
                className="flex flex-wrap items-start justify-between gap-3 px-4 py-3"
                data-testid={`alert-${a.id}`}
              >
                {/* At least 16rem for the message: on a phone the buttons wrap below it. */}
                <div className="min-w-0 flex-1 basis-64 space-y-1 text-sm">
                  <div className="flex flex-wrap items-center gap-2">
                    <SeverityBadge severity={a.severity} />
                    <span className="text-xs font-medium uppercase text-slate-600">{a.state}</span>
                    <Link href={`/alerts/${a.id}`} className="font-medium hover:underline">
                      {a.name}
                    </Link>
                    {a.silencedBy ? (
                      <span className="rounded bg-slate-100 px-1.5 text-xs text-slate-700">
                        silenced by #{a.silencedBy}
                      </span>
                    ) : null}
                    {a.inhibitedBy ? (
                      <span className="rounded bg-slate-100 px-1.5 text-xs text-slate-700">
                        held back by alert #{a.inhibitedBy}
                      </span>
                    ) : null}
                  </div>
                  <p className="text-slate-700">{a.summary}</p>
                  <p className="text-xs text-slate-500">
                    {a.state === "firing" ? "Firing for " : "Pending for "}
                    <Age from={a.firedAt ?? a.activeAt} now={now} />
                    {" · "}
                    {a.ackedBy ? (
                      <span data-testid="acked-by">
                        acknowledged by {a.ackedBy} <Age from={a.ackedAt} now={now} /> ago
                      </span>
                    ) : (
                      <span className="text-amber-700">not acknowledged</span>
                    )}
                    {a.channels.length ? ` · notifies ${a.channels.join(", ")}` : ""}
                    {a.runbook ? (
                      <>
                        {" · "}
                        <a href={a.runbook} className="underline">
                          runbook
                        </a>
                      </>
                    ) : null}
                  </p>
                </div>
                {canOperate ? (
                  <div className="flex flex-wrap items-start gap-2">
                    {!a.ackedAt ? (
                      <ActionButton
                        action={ackAlert}
                        input={{ alertId: a.id }}
                        label="Acknowledge"
                        variant="primary"
                        testId={`ack-${a.id}`}
                      />
                    ) : null}
                    <SilenceForm compact initialMatchers={silenceMatchersFor(a)} />
                    <ResolveButton alertId={a.id} />
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ))}
      {links}
    </div>
  );
}
