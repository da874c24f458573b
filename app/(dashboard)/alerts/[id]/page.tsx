import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AckForm } from "@/components/alerts/ack-form";
import { PageLinks } from "@/components/alerts/page-links";
import { ResolveButton } from "@/components/alerts/resolve-button";
import { SeverityBadge } from "@/components/alerts/severity-badge";
import { SilenceForm } from "@/components/alerts/silence-form";
import { StatusUpdateForm } from "@/components/status/status-update-form";
import { PageHeader } from "@/components/page-header";
import { Table } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { silenceMatchersFor } from "@/lib/alerts/view";
import { hasRole } from "@/lib/roles";
import { idParams } from "@/lib/schemas/common";
import { hrefWith, intParam, type SearchParams } from "@/lib/search-params";
import { statusPagesForAlert } from "@/lib/status-page";
import { requirePageUser } from "@/server/auth/session";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import {
  alertNotifications,
  alertTransitionsPage,
  getAlert,
  toAlertView,
  alertPeople,
} from "@/server/queries/alerts";
import { alertStatusUpdates } from "@/server/queries/status-page";

export async function generateMetadata({
  params,
}: {
  params: Promise<{ id: string }>;
}): Promise<Metadata> {
  await requirePageUser();
  const parsed = idParams.safeParse(await params);
  const row = parsed.success ? getAlert(getDb(), parsed.data.id) : undefined;
  if (!row) return { title: "Not found" };
  return { title: `Alert #${row.id} ${toAlertView(row, getConfig().config).name} · Alerts` };
}

export default async function AlertPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<SearchParams>;
}) {
  const user = await requirePageUser();
  const tz = await viewerTimeZone(user);
  const parsed = idParams.safeParse(await params);
  if (!parsed.success) notFound();
  const search = await searchParams;
  const db = getDb();
  const row = getAlert(db, parsed.data.id);
  if (!row) notFound();
  const config = getConfig().config;
  const a = toAlertView(row, config, alertPeople(db, [row]));
  const statusPages = statusPagesForAlert(config.statusPages, row.labels);
  const updates = alertStatusUpdates(db, a.id);
  const path = `/alerts/${a.id}`;
  const transitionsAfter = intParam(search.transitionsAfter);
  const transitions = alertTransitionsPage(db, a.id, { after: transitionsAfter });
  const notificationsAfter = intParam(search.notificationsAfter);
  const sent = alertNotifications(db, a.id, { after: notificationsAfter });
  const open = a.state === "firing" || a.state === "pending";
  const canOperate = hasRole(user.role, "operator");
  return (
    <div className="space-y-6">
      <PageHeader
        title={`#${a.id} ${a.name}`}
        timeZone={tz}
        description={a.summary}
        actions={
          <>
            <SeverityBadge severity={a.severity} />
            <span className="text-sm font-medium uppercase">{a.state}</span>
          </>
        }
      />
      {canOperate ? (
        <div className="flex flex-wrap items-start gap-2">
          {open && !a.ackedAt ? <AckForm alertId={a.id} /> : null}
          {open ? <SilenceForm compact initialMatchers={silenceMatchersFor(a)} /> : null}
          {open || (a.state === "resolved" && !a.falsePositive) ? (
            <ResolveButton alertId={a.id} />
          ) : null}
        </div>
      ) : null}
      <section className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 text-sm md:grid-cols-3">
        <div>
          <h2 className="text-xs text-slate-500">Labels</h2>
          <ul className="font-mono text-xs">
            {Object.entries(a.labels).map(([k, v]) => (
              <li key={k}>
                {k}={v}
              </li>
            ))}
          </ul>
        </div>
        <dl className="space-y-1">
          <div>
            <dt className="text-xs text-slate-500">Condition first held</dt>
            <dd>
              <Time timeZone={tz} value={a.activeAt} />
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Fired</dt>
            <dd>
              <Time timeZone={tz} value={a.firedAt} />
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Resolved</dt>
            <dd>
              <Time timeZone={tz} value={a.resolvedAt} />
              {a.resolvedBy ? ` by ${a.resolvedBy}` : ""}
              {a.falsePositive ? " (false positive)" : ""}
            </dd>
          </div>
        </dl>
        <dl className="space-y-1">
          <div>
            <dt className="text-xs text-slate-500">Acknowledged</dt>
            <dd>{a.ackedBy ? `${a.ackedBy}, ` : "no"}</dd>
            {a.ackedAt ? <Time timeZone={tz} value={a.ackedAt} /> : null}
          </div>
          <div>
            <dt className="text-xs text-slate-500">Escalation</dt>
            <dd>
              {a.escalation
                ? `${a.escalation.policy}, level ${(a.escalation.level ?? -1) + 1}${a.escalation.nextAt ? `; next level at ${a.escalation.nextAt.slice(11, 19)} UTC` : ""}`
                : "—"}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Runbook</dt>
            <dd>
              {a.runbook ? (
                <a className="underline" href={a.runbook}>
                  {a.runbook}
                </a>
              ) : (
                "—"
              )}
            </dd>
          </div>
        </dl>
      </section>
      <section aria-labelledby="status-updates">
        <h2 id="status-updates" className="mb-2 font-semibold">
          Public status updates
        </h2>
        {statusPages.length === 0 ? (
          <p className="text-sm text-slate-500">
            No status page shows this alert&apos;s service, so it cannot be posted publicly.
          </p>
        ) : (
          <div className="space-y-3">
            {canOperate ? (
              <StatusUpdateForm
                alertId={a.id}
                needsTitle={updates.items.length === 0}
                pages={statusPages.map((p) => p.path)}
              />
            ) : null}
            <Table
              columns={["When", "Status", "Message", "By"]}
              testId="status-updates"
              empty={updates.items.length ? undefined : "Nothing posted yet."}
            >
              {updates.items.map((u) => (
                <tr key={u.id} className="border-t border-slate-100">
                  <td className="px-3 py-2 text-xs">
                    <Time timeZone={tz} value={u.at} />
                  </td>
                  <td className="px-3 py-2">{u.status}</td>
                  <td className="px-3 py-2 whitespace-pre-line">
                    {u.title ? <strong className="block">{u.title}</strong> : null}
                    {u.message}
                  </td>
                  <td className="px-3 py-2 text-xs">{u.author}</td>
                </tr>
              ))}
            </Table>
            {updates.more ? (
              <p className="text-xs text-slate-500">
                The {updates.items.length} newest are shown; the status page shows the same.
              </p>
            ) : null}
          </div>
        )}
      </section>
      <section>
        <h2 className="mb-2 font-semibold">Transitions</h2>
        <Table columns={["When", "From", "To", "By", "Note"]} testId="transitions">
          {transitions.items.map((t) => (
            <tr key={t.id} className="border-t border-slate-100">
              <td className="px-3 py-2 text-xs">
                <Time timeZone={tz} value={t.at} />
              </td>
              <td className="px-3 py-2">{t.from}</td>
              <td className="px-3 py-2">{t.to}</td>
              <td className="px-3 py-2 text-xs">{t.by ?? "evaluator"}</td>
              <td className="px-3 py-2 text-xs">{t.note ?? ""}</td>
            </tr>
          ))}
        </Table>
        <PageLinks
          testId="transition-pages"
          first={
            transitionsAfter ? hrefWith(path, search, { transitionsAfter: undefined }) : undefined
          }
          next={
            transitions.next
              ? hrefWith(path, search, { transitionsAfter: transitions.next })
              : undefined
          }
          label="Later transitions"
        />
      </section>
      <section>
        <h2 className="mb-2 font-semibold">Notifications</h2>
        <Table
          columns={["#", "Channel", "Kind", "Status", "Attempts", "Sent", "Last error"]}
          testId="alert-notifications"
          empty={sent.items.length ? undefined : "None sent (yet)."}
        >
          {sent.items.map((n) => (
            <tr key={n.id} className="border-t border-slate-100">
              <td className="px-3 py-2">{n.id}</td>
              <td className="px-3 py-2">
                <Link className="underline" href={`/alerts/channels/${n.channelId}`}>
                  {n.channelId}
                </Link>
                {n.recipient ? <span className="text-xs"> → {n.recipient}</span> : null}
              </td>
              <td className="px-3 py-2">{n.kind}</td>
              <td className="px-3 py-2">{n.status}</td>
              <td className="px-3 py-2">{n.attempts}</td>
              <td className="px-3 py-2 text-xs">
                <Time timeZone={tz} value={n.sentAt} />
              </td>
              <td className="px-3 py-2 text-xs text-red-700">{n.lastError ?? ""}</td>
            </tr>
          ))}
        </Table>
        <PageLinks
          testId="notification-pages"
          first={
            notificationsAfter
              ? hrefWith(path, search, { notificationsAfter: undefined })
              : undefined
          }
          next={sent.next ? hrefWith(path, search, { notificationsAfter: sent.next }) : undefined}
          label="Later notifications"
        />
      </section>
    </div>
  );
}
