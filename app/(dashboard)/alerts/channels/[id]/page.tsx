import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ActionButton } from "@/components/action-button";
import { LiveRefresh } from "@/components/live/live-refresh";
import { PageHeader } from "@/components/page-header";
import { Table } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { hasRole } from "@/lib/roles";
import { sendTestNotification } from "@/server/actions/send-test-notification";
import { requirePageUser } from "@/server/auth/session";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { channelNotifications, channelSummaries } from "@/server/queries/alerts";

export async function generateMetadata({
  params,
}: {
  params: Promise<{ id: string }>;
}): Promise<Metadata> {
  await requirePageUser();
  const { id } = await params;
  const channel = getConfig().config.alerts.channels.find((c) => c.id === id);
  return { title: channel ? `Channel ${channel.name} · Alerts` : "Not found" };
}

export default async function ChannelPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const tz = await viewerTimeZone(user);
  const { id } = await params;
  const db = getDb();
  const channel = channelSummaries(db, getConfig().config).find((c) => c.id === id);
  if (!channel) notFound();
  const rows = channelNotifications(db, channel.id);
  return (
    <div className="space-y-6">
      <LiveRefresh everySeconds={5} />
      <PageHeader
        title={channel.name}
        timeZone={tz}
        description={`${channel.type} · ${channel.target}`}
        actions={
          <>
            {hasRole(user.role, "operator") ? (
              <ActionButton
                action={sendTestNotification}
                input={{ channelId: channel.id }}
                label="Send test notification"
                testId="send-test"
              />
            ) : null}
            {hasRole(user.role, "admin") ? (
              <Link
                href={`/config/channels?id=${encodeURIComponent(channel.id)}`}
                className="text-sm text-sky-700 hover:underline"
              >
                Edit as YAML
              </Link>
            ) : null}
          </>
        }
      />
      {channel.lastError ? (
        <div
          role="status"
          data-testid="channel-error"
          className={`rounded-lg border p-4 text-sm ${channel.permanent ? "border-red-300 bg-red-50 text-red-800" : "border-amber-300 bg-amber-50 text-amber-900"}`}
        >
          <p className="font-medium">
            {channel.permanent
              ? "The last delivery was refused, and retrying will not help:"
              : "The last delivery failed; Opsdeck keeps retrying:"}
          </p>
          <p className="font-mono">{channel.lastError}</p>
          <p className="mt-1 text-xs">
            At <Time timeZone={tz} value={channel.lastErrorAt} />.
            {channel.permanent
              ? " Fix the channel (a deleted or archived Slack channel needs a new webhook URL), reload the configuration, then send a test notification."
              : channel.blockedUntil
                ? ` Waiting until ${channel.blockedUntil.slice(11, 19)} UTC, as the receiver asked.`
                : ""}
          </p>
        </div>
      ) : null}
      <dl className="grid grid-cols-2 gap-3 rounded-lg border border-slate-200 bg-white p-4 text-sm md:grid-cols-4">
        <div>
          <dt className="text-xs text-slate-500">Last success</dt>
          <dd>
            <Time timeZone={tz} value={channel.lastSuccessAt} />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Waiting</dt>
          <dd>{channel.pending}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Sent</dt>
          <dd>{channel.sent}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Failed or given up</dt>
          <dd>{channel.failed}</dd>
        </div>
      </dl>
      <Table
        columns={[
          "#",
          "Message",
          "Kind",
          "Status",
          "Attempts",
          "Queued",
          "Sent / next try",
          "Error",
        ]}
        testId="channel-notifications"
        empty={rows.length ? undefined : "Nothing sent through this channel yet."}
      >
        {rows.map((n) => (
          <tr key={n.id} className="border-t border-slate-100 align-top">
            <td className="px-3 py-2">{n.id}</td>
            <td className="px-3 py-2 text-xs">
              {n.title}
              {n.recipient ? ` → ${n.recipient}` : ""}
            </td>
            <td className="px-3 py-2">{n.kind}</td>
            <td className="px-3 py-2">{n.status}</td>
            <td className="px-3 py-2">{n.attempts}</td>
            <td className="px-3 py-2 text-xs">
              <Time timeZone={tz} value={n.createdAt} />
            </td>
            <td className="px-3 py-2 text-xs">
              <Time timeZone={tz} value={n.sentAt ?? n.nextAttemptAt} />
            </td>
            <td className="px-3 py-2 text-xs text-red-700">{n.lastError ?? ""}</td>
          </tr>
        ))}
      </Table>
    </div>
  );
}
