import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DeployActionButton } from "@/components/deployments/deploy-action-button";
import { DeployResult } from "@/components/deployments/deploy-result";
import { PageHeader } from "@/components/page-header";
import { Time } from "@/components/ui/time";
import { formatDuration } from "@/lib/duration";
import { hasRole } from "@/lib/roles";
import { idParams } from "@/lib/schemas/common";
import { requirePageUser } from "@/server/auth/session";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { liveDeployment } from "@/server/deployments/act";
import { deployRefusal } from "@/server/deployments/availability";
import { getDeployment, toDeploymentView } from "@/server/queries/deployments";

export async function generateMetadata({
  params,
}: {
  params: Promise<{ id: string }>;
}): Promise<Metadata> {
  await requirePageUser();
  const parsed = idParams.safeParse(await params);
  const row = parsed.success ? getDeployment(getDb(), parsed.data.id) : undefined;
  if (!row) return { title: "Not found" };
  const service = getConfig().config.services.find((s) => s.id === row.service)?.name;
  return { title: `Deployment ${row.version} · ${service ?? row.service}` };
}

export default async function DeploymentPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const tz = await viewerTimeZone(user);
  const parsed = idParams.safeParse(await params);
  if (!parsed.success) notFound();
  const db = getDb();
  const row = getDeployment(db, parsed.data.id);
  if (!row) notFound();
  const d = toDeploymentView(row);
  const { config } = getConfig();
  const env = config.environments.find((e) => e.id === d.environment);
  const live = liveDeployment({ db }, d.service, d.environment);
  const canAct = hasRole(user.role, "operator");
  const facts: [string, React.ReactNode][] = [
    ["Result", <DeployResult key="s" d={d} />],
    ["Result known", d.outcomeAt ? <Time timeZone={tz} key="v" value={d.outcomeAt} /> : "—"],
    ["Platform status", d.providerStatus ?? "—"],
    ["Started", <Time timeZone={tz} key="t" value={d.startedAt} />],
    ["Finished", <Time timeZone={tz} key="f" value={d.finishedAt} />],
    ["Duration", d.durationMs !== null ? formatDuration(d.durationMs) : "—"],
    ["Commit", d.commitSha ?? "—"],
    ["Author", d.author ?? "—"],
    ["Reported by", `${d.source}`],
    [
      "Rollback of",
      d.rollbackOf ? (
        <Link key="r" className="underline" href={`/deployments/${d.rollbackOf}`}>
          #{d.rollbackOf}
        </Link>
      ) : (
        "—"
      ),
    ],
    [
      "Link",
      d.url ? (
        <a key="u" className="underline" href={d.url} rel="noreferrer noopener" target="_blank">
          {d.url}
        </a>
      ) : (
        "—"
      ),
    ],
  ];
  return (
    <div className="max-w-3xl space-y-6">
      <PageHeader
        title={`${config.services.find((s) => s.id === d.service)?.name ?? d.service} ${d.version} in ${env?.name ?? d.environment}`}
        timeZone={tz}
        description={d.message ?? undefined}
        actions={
          canAct && env ? (
            <div className="flex flex-col items-end gap-2">
              {live?.id !== d.id && d.status === "succeeded" ? (
                <DeployActionButton
                  action="rollback"
                  deploymentId={d.id}
                  version={d.version}
                  liveVersion={live?.version ?? null}
                  environmentName={env.name}
                  protectedEnvironment={env.protected}
                  disabledReason={deployRefusal(config, row, "rollback", live?.id)}
                />
              ) : null}
              <DeployActionButton
                action="redeploy"
                deploymentId={d.id}
                version={d.version}
                liveVersion={live?.version ?? null}
                environmentName={env.name}
                protectedEnvironment={env.protected}
                disabledReason={deployRefusal(config, row, "redeploy", live?.id)}
              />
            </div>
          ) : null
        }
      />
      {live?.id === d.id ? (
        <p className="rounded-md bg-green-50 px-3 py-2 text-sm text-green-900">
          This is what is live now.
        </p>
      ) : null}
      <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm">
        {facts.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-slate-500">{k}</dt>
            <dd className="break-all">{v}</dd>
          </div>
        ))}
      </dl>
      <p className="text-sm text-slate-600">
        A rollback that Opsdeck was running when it stopped is marked interrupted on the Jobs page:
        check the platform for what is live before trying again.
      </p>
    </div>
  );
}
