import { auditActionLabel } from "@/lib/audit-actions";
import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/page-header";
import { StartJobButton } from "@/components/start-job-button";
import { StatusPill } from "@/components/status-pill";
import { Time } from "@/components/ui/time";
import { hasRole } from "@/lib/roles";
import { auditFilterSchema } from "@/lib/schemas/audit";
import { requirePageUser } from "@/server/auth/session";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";
import { peopleNames } from "@/server/queries/users";
import { getDb } from "@/server/db";
import {
  AUDIT_MAX_PAGE_SIZE,
  AUDIT_PAGE_SIZE,
  auditActions,
  auditChainSummary,
  auditPage,
} from "@/server/queries/audit";
import { Table } from "@/components/ui/table";

export const metadata: Metadata = { title: "Audit" };

type Search = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined) {
  return Array.isArray(value) ? value[0] : value;
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePageUser();
  const tz = await viewerTimeZone(user);
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, first(v)]));
  const parsed = auditFilterSchema.safeParse(raw);
  const filter = parsed.success ? parsed.data : {};
  const db = getDb();
  const page = auditPage(db, filter);
  const actions = auditActions(db);
  const chain = auditChainSummary(db);
  const nameOf = peopleNames(
    db,
    page.rows.map((r) => r.actorName).filter((n) => n.includes("@")),
  );

  const keep = Object.fromEntries(
    Object.entries(raw).filter(
      ([k, v]) => v && ["actor", "action", "outcome", "from", "to", "limit"].includes(k),
    ),
  ) as Record<string, string>;
  const link = (extra: Record<string, string>) =>
    `/audit?${new URLSearchParams({ ...keep, ...extra })}`;

  return (
    <>
      <PageHeader
        title="Audit log"
        timeZone={tz}
        description="Every sign-in and every change: who, what, when and from which address. Each row is chained to the one before with a keyed hash (HMAC) and the chain is checkpointed daily: an edited, removed or cut-off row fails verification."
        actions={
          hasRole(user.role, "admin") ? (
            <StartJobButton kind="audit.verify" label="Verify chain" />
          ) : null
        }
      />
      <p className="mb-4 text-sm text-slate-600" data-testid="audit-chain-summary">
        {chain.newest ? (
          <>
            Newest checkpoint: row {chain.newest.rowId},{" "}
            <Time timeZone={tz} value={chain.newest.at} />.
          </>
        ) : (
          "No checkpoint yet: the daily maintenance writes the first."
        )}
        {chain.archived ? (
          <>
            {" "}
            Rows up to {chain.archived.rowId} were archived{" "}
            <Time timeZone={tz} value={chain.archived.at} /> (Settings → Admin actions); the list
            starts after them.
          </>
        ) : null}
      </p>
      <form
        className="mb-4 flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4"
        method="get"
      >
        <label className="text-sm">
          <span className="block text-slate-600">Actor</span>
          <input
            name="actor"
            defaultValue={keep.actor}
            maxLength={254}
            className="mt-1 rounded-md border border-slate-300 px-2 py-1.5"
          />
        </label>
        <label className="text-sm">
          <span className="block text-slate-600">Action</span>
          <input
            name="action"
            list="audit-actions"
            defaultValue={keep.action}
            maxLength={100}
            className="mt-1 rounded-md border border-slate-300 px-2 py-1.5"
          />
          <datalist id="audit-actions">
            {actions.map((a) => (
              <option key={a} value={a} label={auditActionLabel(a)} />
            ))}
          </datalist>
        </label>
        <label className="text-sm">
          <span className="block text-slate-600">Outcome</span>
          <select
            name="outcome"
            defaultValue={keep.outcome ?? ""}
            className="mt-1 rounded-md border border-slate-300 px-2 py-1.5"
          >
            <option value="">Any</option>
            <option value="success">success</option>
            <option value="denied">denied</option>
            <option value="failure">failure</option>
          </select>
        </label>
        <label className="text-sm">
          <span className="block text-slate-600">From (UTC)</span>
          <input
            type="datetime-local"
            name="from"
            defaultValue={keep.from}
            className="mt-1 rounded-md border border-slate-300 px-2 py-1.5"
          />
        </label>
        <label className="text-sm">
          <span className="block text-slate-600">To (UTC)</span>
          <input
            type="datetime-local"
            name="to"
            defaultValue={keep.to}
            className="mt-1 rounded-md border border-slate-300 px-2 py-1.5"
          />
        </label>
        <label className="text-sm">
          <span className="block text-slate-600">Rows</span>
          <select
            name="limit"
            defaultValue={keep.limit ?? String(AUDIT_PAGE_SIZE)}
            className="mt-1 rounded-md border border-slate-300 px-2 py-1.5"
          >
            {[25, 50, 100, AUDIT_MAX_PAGE_SIZE].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button
          type="submit"
          className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white"
        >
          Filter
        </button>
        <Link href="/audit" className="text-sm text-slate-600 underline">
          Clear
        </Link>
      </form>
      {!parsed.success ? (
        <p role="alert" className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Some filters were ignored:{" "}
          {parsed.error.issues.map((i) => `${String(i.path[0])} ${i.message}`).join("; ")}.
        </p>
      ) : null}
      <Table
        columns={["#", "When", "Who", "Action", "Target", "Outcome", "From", "Details"]}
        testId="audit-table"
        empty={page.rows.length === 0 ? "No audit entries match." : undefined}
      >
        {page.rows.map((row) => (
          <tr key={row.id} className="border-t border-slate-100 align-top">
            <td className="px-3 py-2 font-mono text-xs text-slate-500">{row.id}</td>
            <td className="whitespace-nowrap px-3 py-2">
              <Time timeZone={tz} value={row.at} />
            </td>
            <td className="px-3 py-2">
              {row.actorName.includes("@") ? (
                <span title={row.actorName}>{nameOf(row.actorName)}</span>
              ) : (
                row.actorName
              )}
              {row.actorRole ? (
                <span className="ml-1 text-xs text-slate-500">({row.actorRole})</span>
              ) : null}
            </td>
            <td className="px-3 py-2 text-xs" title={row.action}>
              {auditActionLabel(row.action)}
            </td>
            <td className="px-3 py-2 text-xs">
              {row.targetType ? `${row.targetType} ${row.targetId ?? ""}` : "—"}
            </td>
            <td className="px-3 py-2">
              <StatusPill status={row.outcome} />
            </td>
            <td className="px-3 py-2 font-mono text-xs">{row.ip ?? "—"}</td>
            <td className="max-w-md px-3 py-2 font-mono text-xs break-all text-slate-600">
              {row.details ? JSON.stringify(row.details) : ""}
            </td>
          </tr>
        ))}
      </Table>
      <nav className="mt-4 flex justify-between text-sm" aria-label="Pagination">
        {page.hasNewer && page.rows[0] ? (
          <Link className="underline" href={link({ after: String(page.rows[0].id) })}>
            ← Newer
          </Link>
        ) : (
          <span />
        )}
        {page.hasOlder && page.rows.at(-1) ? (
          <Link className="underline" href={link({ before: String(page.rows.at(-1)!.id) })}>
            Older →
          </Link>
        ) : null}
      </nav>
    </>
  );
}
