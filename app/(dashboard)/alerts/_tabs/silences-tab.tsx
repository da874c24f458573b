import { ActionButton } from "@/components/action-button";
import { PageLinks } from "@/components/alerts/page-links";
import { SilenceForm } from "@/components/alerts/silence-form";
import { Table } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { formatMatcher } from "@/lib/alerts/matchers";
import { hrefWith, intParam } from "@/lib/search-params";
import { expireSilence } from "@/server/actions/expire-silence";
import { getDb } from "@/server/db";
import { silenceList } from "@/server/queries/alerts";
import type { TabProps } from "./tab-props";

/** Silences, newest first, a page at a time; operators create and expire them here. */
export function SilencesTab({ search, now, canOperate, tz }: TabProps) {
  const before = intParam(search.before);
  const page = silenceList(getDb(), now, { before, limit: intParam(search.limit) });
  return (
    <div className="space-y-4">
      {canOperate ? <SilenceForm /> : null}
      <Table
        columns={["#", "Matchers", "Status", "From", "Until", "Reason", "By", ""]}
        testId="silences"
        empty={page.items.length ? undefined : "No silences."}
      >
        {page.items.map((s) => (
          <tr key={s.id} className="border-t border-slate-100 align-top">
            <td className="px-3 py-2">{s.id}</td>
            <td className="px-3 py-2 font-mono text-xs">
              {s.matchers.map(formatMatcher).join(", ")}
            </td>
            <td className="px-3 py-2">{s.status}</td>
            <td className="px-3 py-2 text-xs">
              <Time timeZone={tz} value={s.startsAt} />
            </td>
            <td className="px-3 py-2 text-xs">
              <Time timeZone={tz} value={s.endsAt} />
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
      <PageLinks
        testId="silence-pages"
        first={before ? hrefWith("/alerts", search, { before: undefined }) : undefined}
        next={page.next ? hrefWith("/alerts", search, { before: page.next }) : undefined}
        label="Older"
      />
    </div>
  );
}
