import type { Metadata } from "next";
import Link from "next/link";
import { ActionButton } from "@/components/action-button";
import { AlertTabs, ALERT_TABS, type AlertTab } from "@/components/alerts/alert-tabs";
import { ResolveButton } from "@/components/alerts/resolve-button";
import { SeverityBadge } from "@/components/alerts/severity-badge";
import { SilenceForm } from "@/components/alerts/silence-form";
import { AutoRefresh } from "@/components/auto-refresh";
import { PageHeader } from "@/components/page-header";
import { Table } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { formatMatcher } from "@/lib/alerts/matchers";
import {
  ACK_TARGET_MS,
  FALSE_POSITIVE_TARGET,
  silenceMatchersFor,
  type ActiveAlertView,
  type AlertView,
} from "@/lib/alerts/view";
import { firstParam } from "@/lib/search-params";
import { formatDuration } from "@/lib/duration";
import { hasRole } from "@/lib/roles";
import { ackAlert } from "@/server/actions/ack-alert";
import { expireSilence } from "@/server/actions/expire-silence";
import { sendTestNotification } from "@/server/actions/send-test-notification";
import { requirePageUser } from "@/server/auth/session";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import {
  activeAlerts,
  alertHistory,
  channelSummaries,
  ruleStats,
  silenceList,
} from "@/server/queries/alerts";

export const metadata: Metadata = { title: "Alerts" };

type Search = Record<string, string | string[] | undefined>;

function Age({ from, now }: { from: string | null; now: number }) {
  if (!from) return <span className="text-slate-400">—</span>;
  return <span title={from}>{formatDuration(now - Date.parse(from))}</span>;
}

function ActiveTab({
  list,
  now,
  canOperate,
}: {
  list: ActiveAlertView[];
  now: number;
  canOperate: boolean;
}) {
  if (list.length === 0)
    return (
      <p className="rounded-lg border border-green-200 bg-green-50 p-6 text-center text-green-800">
        Nothing is firing.
      </p>
    );
  const groups = new Map<string, ActiveAlertView[]>();
  for (const a of list) groups.set(a.group, [...(groups.get(a.group) ?? []), a]);
  return (
    <div className="space-y-4">
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
                <div className="min-w-0 flex-1 space-y-1 text-sm">
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
    </div>
  );
}

function HistoryTab({
  rows,
  search,
  rules,
}: {
  rows: AlertView[];
  search: Search;
  rules: string[];
}) {
  const select = (name: string, options: readonly string[]) => (
    <label className="text-xs text-slate-600">
      {name}
      <select
        name={name}
        defaultValue={firstParam(search[name]) ?? ""}
        className="mt-1 block rounded border border-slate-300 px-2 py-1 text-sm"
      >
        <option value="">any</option>
        {options.map((o) => (
          <option key={o}>{o}</option>
        ))}
      </select>
    </label>
  );
  return (
    <div className="space-y-3">
      <form className="flex flex-wrap items-end gap-3" method="get">
        <input type="hidden" name="tab" value="history" />
        {select("rule", rules)}
        {select("severity", ["critical", "warning", "info"])}
        {select("state", ["pending", "firing", "resolved", "inactive"])}
        {(["service", "environment", "q"] as const).map((name) => (
          <label key={name} className="text-xs text-slate-600">
            {name === "q" ? "summary contains" : name}
            <input
              name={name}
              defaultValue={firstParam(search[name]) ?? ""}
              maxLength={100}
              className="mt-1 block w-36 rounded border border-slate-300 px-2 py-1 text-sm"
            />
          </label>
        ))}
        <button className="rounded-md bg-slate-900 px-3 py-1.5 text-sm text-white">Filter</button>
      </form>
      <Table
        columns={["#", "Alert", "Severity", "State", "Fired", "Resolved", "Acknowledged", "Notes"]}
        testId="alert-history"
        empty={rows.length ? undefined : "No alerts match."}
      >
        {rows.map((a) => (
          <tr key={a.id} className="border-t border-slate-100 align-top">
            <td className="px-3 py-2">
              <Link href={`/alerts/${a.id}`} className="underline">
                {a.id}
              </Link>
            </td>
            <td className="px-3 py-2">
              <div className="font-medium">{a.name}</div>
              <div className="text-xs text-slate-500">{a.summary}</div>
            </td>
            <td className="px-3 py-2">
              <SeverityBadge severity={a.severity} />
            </td>
            <td className="px-3 py-2">{a.state}</td>
            <td className="px-3 py-2 text-xs">
              <Time value={a.firedAt} />
            </td>
            <td className="px-3 py-2 text-xs">
              <Time value={a.resolvedAt} />
              {a.resolvedAt && a.firedAt ? (
                <div className="text-slate-500">
                  after {formatDuration(Date.parse(a.resolvedAt) - Date.parse(a.firedAt))}
                </div>
              ) : null}
            </td>
            <td className="px-3 py-2 text-xs">{a.ackedBy ?? "—"}</td>
            <td className="px-3 py-2 text-xs">
              {a.resolvedBy ? `resolved by ${a.resolvedBy}` : ""}
              {a.falsePositive ? (
                <span className="ml-1 rounded bg-amber-100 px-1 text-amber-800">
                  false positive
                </span>
              ) : null}
            </td>
          </tr>
        ))}
      </Table>
      {rows.length === 50 ? (
        <Link
          className="text-sm underline"
          href={`/alerts?${new URLSearchParams({
            ...Object.fromEntries(
              Object.entries(search).flatMap(([k, v]) =>
                firstParam(v) ? [[k, firstParam(v)!]] : [],
              ),
            ),
            tab: "history",
            before: String(rows.at(-1)!.id),
          })}`}
        >
          Older
        </Link>
      ) : null}
    </div>
  );
}

export default async function AlertsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePageUser();
  const search = await searchParams;
  const tabParam = firstParam(search.tab);
  const tab: AlertTab = ALERT_TABS.some(([id]) => id === tabParam)
    ? (tabParam as AlertTab)
    : "active";
  const canOperate = hasRole(user.role, "operator");
  const db = getDb();
  const { config } = getConfig();
  // eslint-disable-next-line react-hooks/purity -- a server render reads the clock once
  const now = Date.now();

  let body: React.ReactNode;
  if (tab === "active") {
    body = (
      <>
        <AutoRefresh seconds={10} />
        <ActiveTab list={activeAlerts(db, config, now)} now={now} canOperate={canOperate} />
      </>
    );
  } else if (tab === "history") {
    const before = Number(firstParam(search.before));
    body = (
      <HistoryTab
        search={search}
        rules={config.alerts.rules.map((r) => r.id)}
        rows={alertHistory(db, config, {
          rule: firstParam(search.rule),
          severity: firstParam(search.severity),
          state: firstParam(search.state),
          service: firstParam(search.service),
          environment: firstParam(search.environment),
          q: firstParam(search.q)?.slice(0, 100),
          before: Number.isInteger(before) && before > 0 ? before : undefined,
        })}
      />
    );
  } else if (tab === "rules") {
    const stats = ruleStats(db, config, now);
    body = (
      <Table
        columns={[
          "Rule",
          "Severity",
          "Condition",
          "Fired (30 d)",
          "Firing now",
          "Median time to ack",
          "False positives",
          "Flaps",
          "",
        ]}
        testId="rule-stats"
        empty={stats.length ? undefined : "No rules: add them under alerts.rules in opsdeck.yaml."}
      >
        {stats.map((r) => (
          <tr key={r.ruleId} className="border-t border-slate-100">
            <td className="px-3 py-2 font-medium">{r.name}</td>
            <td className="px-3 py-2">
              <SeverityBadge severity={r.severity} />
            </td>
            <td className="px-3 py-2 text-xs">{r.condition}</td>
            <td className="px-3 py-2">{r.fired}</td>
            <td className="px-3 py-2">{r.firingNow}</td>
            <td
              className={`px-3 py-2 ${r.medianAckMs !== null && r.medianAckMs > ACK_TARGET_MS ? "text-red-700" : ""}`}
            >
              {r.medianAckMs === null ? "—" : formatDuration(r.medianAckMs)}
              {r.acked ? <span className="text-xs text-slate-500"> ({r.acked} acked)</span> : null}
            </td>
            <td
              className={`px-3 py-2 ${r.falsePositiveShare !== null && r.falsePositiveShare > FALSE_POSITIVE_TARGET ? "text-red-700" : ""}`}
            >
              {r.falsePositiveShare === null
                ? "—"
                : `${(r.falsePositiveShare * 100).toFixed(1)}% (${r.falsePositives})`}
            </td>
            <td className="px-3 py-2">{r.flaps}</td>
            <td className="px-3 py-2">
              <Link href={`/alerts/rules/${r.ruleId}`} className="text-sm underline">
                Details and preview
              </Link>
            </td>
          </tr>
        ))}
      </Table>
    );
  } else if (tab === "silences") {
    const list = silenceList(db, now);
    body = (
      <div className="space-y-4">
        {canOperate ? <SilenceForm /> : null}
        <Table
          columns={["#", "Matchers", "Status", "From", "Until", "Reason", "By", ""]}
          testId="silences"
          empty={list.length ? undefined : "No silences."}
        >
          {list.map((s) => (
            <tr key={s.id} className="border-t border-slate-100 align-top">
              <td className="px-3 py-2">{s.id}</td>
              <td className="px-3 py-2 font-mono text-xs">
                {s.matchers.map(formatMatcher).join(", ")}
              </td>
              <td className="px-3 py-2">{s.status}</td>
              <td className="px-3 py-2 text-xs">
                <Time value={s.startsAt} />
              </td>
              <td className="px-3 py-2 text-xs">
                <Time value={s.endsAt} />
              </td>
              <td className="px-3 py-2 text-xs">{s.comment}</td>
              <td className="px-3 py-2 text-xs">
                {s.createdBy}
                {s.expiredBy ? ` (expired by ${s.expiredBy})` : ""}
              </td>
              <td className="px-3 py-2">
                {canOperate && s.status !== "expired" ? (
                  <ActionButton action={expireSilence} input={{ silenceId: s.id }} label="Expire" />
                ) : null}
              </td>
            </tr>
          ))}
        </Table>
      </div>
    );
  } else {
    const channels = channelSummaries(db, config);
    body = (
      <Table
        columns={["Channel", "Type", "Delivers to", "Last success", "Last error", "Queue", ""]}
        testId="channels"
        empty={channels.length ? undefined : "No channels: add them under alerts.channels."}
      >
        {channels.map((c) => (
          <tr key={c.id} className="border-t border-slate-100 align-top">
            <td className="px-3 py-2">
              <Link href={`/alerts/channels/${c.id}`} className="font-medium underline">
                {c.name}
              </Link>
            </td>
            <td className="px-3 py-2">{c.type}</td>
            <td className="px-3 py-2 text-xs">{c.target}</td>
            <td className="px-3 py-2 text-xs">
              <Time value={c.lastSuccessAt} />
            </td>
            <td className="px-3 py-2 text-xs">
              {c.lastError ? (
                <span className={c.permanent ? "text-red-700" : "text-amber-700"}>
                  {c.lastError}
                  {c.permanent ? " (permanent: fix the channel)" : ""}
                </span>
              ) : (
                "—"
              )}
            </td>
            <td className="px-3 py-2 text-xs">
              {c.pending} waiting · {c.sent} sent · {c.failed} failed
            </td>
            <td className="px-3 py-2">
              {canOperate ? (
                <ActionButton
                  action={sendTestNotification}
                  input={{ channelId: c.id }}
                  label="Send test notification"
                />
              ) : null}
            </td>
          </tr>
        ))}
      </Table>
    );
  }

  return (
    <div>
      <PageHeader
        title="Alerts"
        description="Rules from opsdeck.yaml, evaluated every few seconds; notifications grouped, silenced and escalated as configured."
        actions={
          <Link href="/runbooks/alerting" className="text-sm underline">
            Runbook: alerting and on-call
          </Link>
        }
      />
      <AlertTabs current={tab} />
      {body}
    </div>
  );
}
