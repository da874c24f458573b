import Link from "next/link";
import { ActionButton } from "@/components/action-button";
import { Table } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { sendTestNotification } from "@/server/actions/send-test-notification";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { channelSummaries } from "@/server/queries/alerts";
import type { TabProps } from "./tab-props";

/** Each channel's last success and error, its queue, and a test message for operators. */
export function ChannelsTab({ canOperate, tz }: TabProps) {
  const channels = channelSummaries(getDb(), getConfig().config);
  return (
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
            <Time timeZone={tz} value={c.lastSuccessAt} />
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
