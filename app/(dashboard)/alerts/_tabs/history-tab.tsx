import Link from "next/link";
import { PageLinks } from "@/components/alerts/page-links";
import { SeverityBadge } from "@/components/alerts/severity-badge";
import { Table } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { formatDuration } from "@/lib/duration";
import { firstParam, hrefWith, intParam } from "@/lib/search-params";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { alertHistory } from "@/server/queries/alerts";
import type { TabProps } from "./tab-props";

/** Every alert episode, newest first, filtered, a page at a time. */
export function HistoryTab({ search, tz }: TabProps) {
  const { config } = getConfig();
  const rules = config.alerts.rules.map((r) => r.id);
  const before = intParam(search.before);
  const page = alertHistory(
    getDb(),
    config,
    {
      rule: firstParam(search.rule),
      severity: firstParam(search.severity),
      state: firstParam(search.state),
      service: firstParam(search.service),
      environment: firstParam(search.environment),
      q: firstParam(search.q)?.slice(0, 100),
      before,
    },
    intParam(search.limit),
  );
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
        empty={page.items.length ? undefined : "No alerts match."}
      >
        {page.items.map((a) => (
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
              <Time timeZone={tz} value={a.firedAt} />
            </td>
            <td className="px-3 py-2 text-xs">
              <Time timeZone={tz} value={a.resolvedAt} />
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
      <PageLinks
        testId="history-pages"
        first={
          before ? hrefWith("/alerts", search, { tab: "history", before: undefined }) : undefined
        }
        next={
          page.next ? hrefWith("/alerts", search, { tab: "history", before: page.next }) : undefined
        }
        label="Older"
      />
    </div>
  );
}
