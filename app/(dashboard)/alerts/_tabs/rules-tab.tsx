import Link from "next/link";
import { SeverityBadge } from "@/components/alerts/severity-badge";
import { Table } from "@/components/ui/table";
import { ACK_TARGET_MS, FALSE_POSITIVE_TARGET } from "@/lib/alerts/view";
import { formatDuration } from "@/lib/duration";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { ruleStats } from "@/server/queries/alerts";
import type { TabProps } from "./tab-props";

/** Every rule with its last 30 days: how often it fired, how fast people answered, how often wrongly. */
export function RulesTab({ now }: TabProps) {
  const stats = ruleStats(getDb(), getConfig().config, now);
  return (
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
}
