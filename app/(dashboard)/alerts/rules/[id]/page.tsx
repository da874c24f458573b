import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { SeverityBadge } from "@/components/alerts/severity-badge";
import { PageHeader } from "@/components/page-header";
import { Table } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { firstParam } from "@/lib/search-params";
import { formatDuration, parseDuration } from "@/lib/duration";
import {
  PREVIEW_RANGES,
  previewRule,
  previewStep,
  type PreviewRange,
} from "@/server/alerts/preview";
import { hasRole } from "@/lib/roles";
import { requirePageUser } from "@/server/auth/session";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";
import { getConfig } from "@/server/config";
import type { AlertRuleConfig } from "@/server/config/schema";
import { getDb } from "@/server/db";
import { alertHistory, ruleStats } from "@/server/queries/alerts";

export async function generateMetadata({
  params,
}: {
  params: Promise<{ id: string }>;
}): Promise<Metadata> {
  await requirePageUser();
  const { id } = await params;
  const rule = getConfig().config.alerts.rules.find((r) => r.id === id);
  return { title: rule ? `Rule ${rule.name} · Alerts` : "Not found" };
}

type Search = Record<string, string | string[] | undefined>;

/** The knobs a preview may turn: which ones exist depends on the condition type. */
function knobs(rule: AlertRuleConfig) {
  const c = rule.condition;
  const list: { name: string; label: string; kind: "duration" | "number"; value: number }[] = [
    { name: "for", label: "for", kind: "duration", value: rule.for },
    { name: "keepFiringFor", label: "keepFiringFor", kind: "duration", value: rule.keepFiringFor },
  ];
  if (c.type === "latency")
    list.push({ name: "threshold", label: "threshold", kind: "duration", value: c.threshold });
  if (c.type === "uptime")
    list.push({ name: "target", label: "target %", kind: "number", value: c.target });
  if (c.type === "tls") list.push({ name: "days", label: "days", kind: "number", value: c.days });
  if (c.type === "backup" && c.maxAge !== undefined)
    list.push({ name: "maxAge", label: "maxAge", kind: "duration", value: c.maxAge });
  return list;
}

/** The rule with the values typed into the preview form; the file is not changed. */
function tune(rule: AlertRuleConfig, search: Search) {
  const errors: string[] = [];
  const changed: string[] = [];
  const next = structuredClone(rule) as AlertRuleConfig & Record<string, unknown>;
  const condition = next.condition as Record<string, unknown>;
  for (const k of knobs(rule)) {
    const raw = firstParam(search[k.name])?.trim();
    if (!raw) continue;
    const value =
      k.kind === "duration" ? parseDuration(raw) : /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
    if (value === undefined || Number.isNaN(value) || value < 0 || value > 90 * 86_400_000) {
      errors.push(
        `${k.label}: "${raw}" is not a ${k.kind === "duration" ? "duration such as 5m" : "number"}`,
      );
      continue;
    }
    if (value === k.value) continue;
    changed.push(`${k.label} ${k.kind === "duration" ? formatDuration(value) : value}`);
    if (k.name === "for" || k.name === "keepFiringFor") next[k.name] = value;
    else condition[k.name] = value;
  }
  return { rule: next as AlertRuleConfig, errors, changed };
}

export default async function RulePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Search>;
}) {
  const user = await requirePageUser();
  const tz = await viewerTimeZone(user);
  const { id } = await params;
  const search = await searchParams;
  const { config } = getConfig();
  const rule = config.alerts.rules.find((r) => r.id === id);
  if (!rule) notFound();
  const db = getDb();
  // eslint-disable-next-line react-hooks/purity -- a server render reads the clock once
  const now = Date.now();
  const asked = firstParam(search.range) ?? "24h";
  const rangeKey: PreviewRange = Object.hasOwn(PREVIEW_RANGES, asked)
    ? (asked as PreviewRange)
    : "24h";
  const range = PREVIEW_RANGES[rangeKey];
  const tuned = tune(rule, search);
  const preview = previewRule(db, config, tuned.rule, {
    from: now - range.ms,
    to: now,
    stepMs: previewStep(tuned.rule, range.stepMs),
  });
  const stats = ruleStats(db, config, now).find((s) => s.ruleId === rule.id)!;
  const recent = alertHistory(db, config, { rule: rule.id }, 20).items;

  return (
    <div className="space-y-6">
      <PageHeader
        title={rule.name ?? rule.id}
        timeZone={tz}
        description={`Rule ${rule.id} · ${rule.condition.type} condition`}
        actions={
          <>
            <SeverityBadge severity={rule.severity} />
            {hasRole(user.role, "admin") ? (
              <Link
                href={`/config/rules?id=${encodeURIComponent(rule.id)}`}
                className="text-sm text-sky-700 hover:underline"
              >
                Edit as YAML
              </Link>
            ) : null}
          </>
        }
      />
      <section className="rounded-lg border border-slate-200 bg-white p-4 text-sm">
        <h2 className="mb-2 font-semibold">Definition (opsdeck.yaml)</h2>
        <dl className="grid grid-cols-2 gap-2 md:grid-cols-4">
          <div>
            <dt className="text-xs text-slate-500">for</dt>
            <dd>{formatDuration(rule.for)}</dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">keepFiringFor</dt>
            <dd>{formatDuration(rule.keepFiringFor)}</dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Labels</dt>
            <dd className="font-mono text-xs">
              {Object.entries(rule.labels)
                .map(([k, v]) => `${k}=${v}`)
                .join(", ") || "—"}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Runbook</dt>
            <dd>
              {rule.runbook ? (
                <a className="underline" href={rule.runbook}>
                  {rule.runbook}
                </a>
              ) : (
                "—"
              )}
            </dd>
          </div>
        </dl>
        <pre className="mt-3 overflow-x-auto rounded bg-slate-50 p-2 text-xs">
          {JSON.stringify(rule.condition, null, 2)}
        </pre>
        <p className="mt-2 text-xs text-slate-600">
          Last 30 days: fired {stats.fired} times, {stats.flaps} flaps, median time to acknowledge{" "}
          {stats.medianAckMs === null ? "—" : formatDuration(stats.medianAckMs)}, false positives{" "}
          {stats.falsePositiveShare === null
            ? "—"
            : `${(stats.falsePositiveShare * 100).toFixed(1)}%`}
          .
        </p>
      </section>

      <section
        className="rounded-lg border border-slate-200 bg-white p-4 text-sm"
        aria-label="Preview"
      >
        <h2 className="mb-1 font-semibold">Preview over stored history</h2>
        <p className="mb-3 text-xs text-slate-600">
          Replays the rule as of every {formatDuration(range.stepMs)} of the last {rangeKey} with
          the same state machine as live evaluation. Change a value to see what it would have done;
          the file is not changed. Monitor state that is only kept for the present (late heartbeats,
          degraded without a stored minute) is read from history where it exists.
        </p>
        <form method="get" className="mb-3 flex flex-wrap items-end gap-3">
          <label className="text-xs text-slate-600">
            range
            <select
              name="range"
              defaultValue={rangeKey}
              className="mt-1 block rounded border border-slate-300 px-2 py-1 text-sm"
            >
              {Object.keys(PREVIEW_RANGES).map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          {knobs(rule).map((k) => (
            <label key={k.name} className="text-xs text-slate-600">
              {k.label}
              <input
                name={k.name}
                defaultValue={
                  firstParam(search[k.name]) ??
                  (k.kind === "duration" ? `${Math.round(k.value / 1000)}s` : String(k.value))
                }
                maxLength={20}
                className="mt-1 block w-24 rounded border border-slate-300 px-2 py-1 text-sm"
              />
            </label>
          ))}
          <button className="rounded-md bg-slate-900 px-3 py-1.5 text-sm text-white">
            Preview
          </button>
        </form>
        {tuned.errors.map((e) => (
          <p key={e} role="alert" className="text-xs text-red-700">
            {e}
          </p>
        ))}
        <p className="mb-2" data-testid="preview-summary">
          {tuned.changed.length ? `With ${tuned.changed.join(", ")}: ` : ""}
          would have fired <strong>{preview.fired.length}</strong> time
          {preview.fired.length === 1 ? "" : "s"}
          {preview.pendingOnly
            ? `; ${preview.pendingOnly} more held for less than "for" and stayed silent`
            : ""}{" "}
          <span className="text-xs text-slate-500">
            ({preview.evaluations} evaluations in {preview.tookMs.toFixed(0)} ms)
          </span>
        </p>
        <Table
          columns={["Labels", "Summary", "Fired", "Ended", "Duration"]}
          empty={preview.fired.length ? undefined : "Nothing would have fired."}
        >
          {preview.fired.slice(0, 100).map((e, i) => (
            <tr key={i} className="border-t border-slate-100 align-top">
              <td className="px-3 py-2 font-mono text-xs">
                {[e.labels.service, e.labels.environment, e.labels.monitor ?? e.labels.backup]
                  .filter(Boolean)
                  .join(" · ")}
              </td>
              <td className="px-3 py-2 text-xs">{e.summary}</td>
              <td className="px-3 py-2 text-xs">
                <Time timeZone={tz} value={new Date(e.firedAt!)} />
              </td>
              <td className="px-3 py-2 text-xs">
                {e.endedAt ? <Time timeZone={tz} value={new Date(e.endedAt)} /> : "still firing"}
              </td>
              <td className="px-3 py-2 text-xs">
                {formatDuration((e.endedAt ?? now) - e.firedAt!)}
              </td>
            </tr>
          ))}
        </Table>
      </section>

      <section>
        <h2 className="mb-2 font-semibold">Recent alerts of this rule</h2>
        <Table
          columns={["#", "State", "Summary", "Fired", "Resolved", "Acknowledged by"]}
          empty={recent.length ? undefined : "This rule has not fired."}
        >
          {recent.map((a) => (
            <tr key={a.id} className="border-t border-slate-100">
              <td className="px-3 py-2">
                <Link className="underline" href={`/alerts/${a.id}`}>
                  {a.id}
                </Link>
              </td>
              <td className="px-3 py-2">{a.state}</td>
              <td className="px-3 py-2 text-xs">{a.summary}</td>
              <td className="px-3 py-2 text-xs">
                <Time timeZone={tz} value={a.firedAt} />
              </td>
              <td className="px-3 py-2 text-xs">
                <Time timeZone={tz} value={a.resolvedAt} />
              </td>
              <td className="px-3 py-2 text-xs">{a.ackedBy ?? "—"}</td>
            </tr>
          ))}
        </Table>
      </section>
    </div>
  );
}
