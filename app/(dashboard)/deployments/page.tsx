import type { Metadata } from "next";
import Link from "next/link";
import { DeployActionButton } from "@/components/deployments/deploy-action-button";
import { DeployResult } from "@/components/deployments/deploy-result";
import { PageHeader } from "@/components/page-header";
import { Table } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import type { DeploymentView } from "@/lib/deploy-view";
import { DORA_DEFINITIONS } from "@/lib/dora";
import { formatDuration } from "@/lib/duration";
import { hasRole } from "@/lib/roles";
import { requirePageUser } from "@/server/auth/session";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { deployRefusal } from "@/server/deployments/availability";
import { environmentInView, selectedEnvironment } from "@/server/queries/page-title";
import {
  deploymentTimeline,
  doraFigures,
  environmentComparison,
  getDeployment,
  type DeploymentFilter,
} from "@/server/queries/deployments";

export async function generateMetadata(): Promise<Metadata> {
  await requirePageUser();
  return { title: `Deployments · ${await environmentInView()}` };
}

type Search = { service?: string; environment?: string; status?: string; window?: string };

const pct = (v: number | null) =>
  v === null ? "—" : `${(v * 100).toFixed(v === 1 || v === 0 ? 0 : 1)}%`;
const dur = (v: number | null) => (v === null ? "—" : formatDuration(v));

export default async function DeploymentsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePageUser();
  const tz = await viewerTimeZone(user);
  const { config } = getConfig();
  const given = await searchParams;
  // The header's switcher chooses the environment unless the page's own filter names one.
  const chosen = await selectedEnvironment(config);
  const q = given.environment || chosen === "all" ? given : { ...given, environment: chosen };
  const db = getDb();
  const days = q.window === "90" ? 90 : 30;
  const filter: DeploymentFilter = {
    service: config.services.some((s) => s.id === q.service) ? q.service : undefined,
    environment: config.environments.some((e) => e.id === q.environment)
      ? q.environment
      : undefined,
    status: ["started", "succeeded", "failed", "unknown"].includes(q.status ?? "")
      ? (q.status as DeploymentFilter["status"])
      : undefined,
  };
  const comparison = environmentComparison(db, config);
  const timeline = deploymentTimeline(db, filter, 100);
  const canAct = hasRole(user.role, "operator");
  const envName = (id: string) => config.environments.find((e) => e.id === id)?.name ?? id;
  const live = (d: DeploymentView) =>
    comparison.find((c) => c.service === d.service)?.live[d.environment] ?? null;
  const environments = config.environments.filter(
    (e) => !filter.environment || e.id === filter.environment,
  );

  return (
    <div className="space-y-6">
      <PageHeader
        title="Deployments"
        timeZone={tz}
        description="Every deploy of every service in every environment, from CI, the platform and Opsdeck's own rollbacks."
        actions={
          <Link href="/runbooks/rollback" className="text-sm underline">
            Runbook: rolling back
          </Link>
        }
      />

      <section className="grid gap-3 md:grid-cols-2" aria-label="What runs where">
        {comparison.map((c) => (
          <div
            key={c.service}
            className="rounded-lg border border-slate-200 bg-white p-4"
            data-testid={`compare-${c.service}`}
          >
            <div className="font-semibold">
              {config.services.find((s) => s.id === c.service)?.name}
            </div>
            <div className="mt-1 text-sm text-slate-700">
              {c.summary ??
                Object.entries(c.live)
                  .map(([e, d]) => `${envName(e)}: ${d?.version ?? "—"}`)
                  .join(" · ")}
            </div>
          </div>
        ))}
      </section>

      <section>
        <div className="mb-2 flex items-center justify-between">
          <h2 className="font-semibold">Delivery figures ({days} days)</h2>
          <nav className="flex gap-1 text-xs" aria-label="Window">
            {[30, 90].map((d) => (
              <Link
                key={d}
                href={`/deployments?${new URLSearchParams({ ...q, window: String(d) } as Record<string, string>)}`}
                aria-current={d === days ? "page" : undefined}
                className={`rounded px-2 py-1 ${d === days ? "bg-slate-900 text-white" : "hover:bg-slate-100"}`}
              >
                {d} days
              </Link>
            ))}
          </nav>
        </div>
        <Table
          columns={[
            "Service",
            "Environment",
            DORA_DEFINITIONS.perWeek.name,
            DORA_DEFINITIONS.leadTime.name,
            DORA_DEFINITIONS.changeFailureRate.name,
            DORA_DEFINITIONS.recovery.name,
            DORA_DEFINITIONS.successRate.name,
          ]}
          testId="dora"
        >
          {config.services.flatMap((s) =>
            Object.keys(s.environments).map((env) => {
              const f = doraFigures(db, s.id, env, days);
              return (
                <tr key={`${s.id}-${env}`} className="border-t border-slate-100">
                  <td className="px-3 py-2">{s.name}</td>
                  <td className="px-3 py-2">{envName(env)}</td>
                  <td className="px-3 py-2 tabular-nums">{f.perWeek.toFixed(1)} / week</td>
                  <td className="px-3 py-2">{dur(f.leadTimeMedianMs)}</td>
                  <td className="px-3 py-2">{pct(f.changeFailureRate)}</td>
                  <td className="px-3 py-2">{dur(f.recoveryMedianMs)}</td>
                  <td
                    className={`px-3 py-2 ${f.successRate !== null && f.successRate < 0.95 ? "text-red-700" : ""}`}
                  >
                    {pct(f.successRate)} ({f.succeeded}/{f.deployments})
                  </td>
                </tr>
              );
            }),
          )}
        </Table>
        <dl
          className="mt-3 grid gap-2 text-xs text-slate-600 md:grid-cols-2"
          data-testid="dora-definitions"
        >
          {Object.values(DORA_DEFINITIONS).map((d) => (
            <div key={d.name}>
              <dt className="font-medium text-slate-800">{d.name}</dt>
              <dd>{d.definition}</dd>
            </div>
          ))}
        </dl>
      </section>

      <form
        // Remounted when the applied filter changes (the switcher refreshes the page in place),
        // so the selects' default values show what is applied now.
        key={JSON.stringify(q)}
        method="get"
        className="flex flex-wrap items-end gap-3 text-sm"
        aria-label="Filter deployments"
      >
        {(
          [
            ["service", "Service", config.services.map((s) => [s.id, s.name])],
            ["environment", "Environment", config.environments.map((e) => [e.id, e.name])],
            ["status", "Status", ["succeeded", "failed", "started", "unknown"].map((x) => [x, x])],
          ] as const
        ).map(([name, label, options]) => (
          <label key={name}>
            <span className="block text-slate-600">{label}</span>
            <select
              name={name}
              defaultValue={q[name] ?? ""}
              className="mt-1 rounded-md border border-slate-300 bg-white px-2 py-1.5"
            >
              <option value="">All</option>
              {options.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          </label>
        ))}
        <button
          type="submit"
          className="rounded-md bg-slate-900 px-3 py-1.5 font-medium text-white"
        >
          Filter
        </button>
      </form>

      {environments.map((env) => {
        const rows = timeline.filter((d) => d.environment === env.id);
        return (
          <section key={env.id}>
            <h2 className="mb-2 font-semibold">
              {env.name}{" "}
              {env.protected ? (
                <span className="text-xs font-normal text-slate-500">(protected)</span>
              ) : null}
            </h2>
            <Table
              columns={[
                "Started",
                "Service",
                "Version",
                "Commit",
                "Author",
                "Result",
                "Duration",
                "",
              ]}
              testId={`timeline-${env.id}`}
              empty={rows.length ? undefined : "No deployments."}
            >
              {rows.map((d) => {
                const current = live(d);
                const refusal = canAct
                  ? deployRefusal(config, getDeployment(db, d.id)!, "rollback", current?.id)
                  : null;
                return (
                  <tr
                    key={d.id}
                    className="border-t border-slate-100 align-top"
                    data-testid={`deployment-${d.id}`}
                  >
                    <td className="whitespace-nowrap px-3 py-2">
                      <Link href={`/deployments/${d.id}`} className="underline">
                        <Time timeZone={tz} value={d.startedAt} />
                      </Link>
                    </td>
                    <td className="px-3 py-2">
                      {config.services.find((s) => s.id === d.service)?.name ?? d.service}
                    </td>
                    <td className="px-3 py-2 font-medium">
                      {d.version}
                      {current?.id === d.id ? (
                        <span className="ml-2 rounded bg-green-100 px-1.5 text-xs text-green-800">
                          live
                        </span>
                      ) : null}
                      {d.rollbackOf ? (
                        <span className="ml-2 rounded bg-amber-100 px-1.5 text-xs text-amber-800">
                          rollback of #{d.rollbackOf}
                        </span>
                      ) : null}
                    </td>
                    <td className="px-3 py-2 font-mono text-xs">
                      {d.commitSha?.slice(0, 7) ?? "—"}
                    </td>
                    <td className="px-3 py-2 text-xs">{d.author ?? "—"}</td>
                    <td className="px-3 py-2">
                      <DeployResult d={d} />
                      {d.providerStatus && (d.status !== "succeeded" || d.outcome) ? (
                        <div className="mt-1 max-w-xs text-xs text-slate-600">
                          {d.providerStatus}
                        </div>
                      ) : null}
                    </td>
                    <td className="px-3 py-2 tabular-nums">{dur(d.durationMs)}</td>
                    <td className="px-3 py-2">
                      {canAct && d.status === "succeeded" && current?.id !== d.id ? (
                        <DeployActionButton
                          action="rollback"
                          deploymentId={d.id}
                          version={d.version}
                          liveVersion={current?.version ?? null}
                          environmentName={env.name}
                          protectedEnvironment={env.protected}
                          disabledReason={refusal}
                        />
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </Table>
          </section>
        );
      })}
    </div>
  );
}
