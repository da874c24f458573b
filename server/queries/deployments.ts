import "server-only";
import { and, asc, desc, eq, gte, lt, lte, type SQL } from "drizzle-orm";
import { median, type DeploymentView, type DoraFigures } from "@/lib/deploy-view";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { deployments, type Deployment } from "@/server/db/schema";

const DAY = 86_400_000;

export function toDeploymentView(d: Deployment): DeploymentView {
  return {
    id: d.id,
    service: d.service,
    environment: d.environment,
    version: d.version,
    commitSha: d.commitSha,
    status: d.status,
    providerStatus: d.providerStatus,
    author: d.author,
    message: d.message,
    url: d.url,
    startedAt: d.startedAt.toISOString(),
    finishedAt: d.finishedAt?.toISOString() ?? null,
    durationMs: d.finishedAt ? d.finishedAt.getTime() - d.startedAt.getTime() : null,
    source: d.source,
    rollbackOf: d.rollbackOf,
    canRollback: d.canRollback,
    outcome: d.outcome,
    outcomeAt: d.outcomeAt?.toISOString() ?? null,
  };
}

export type DeploymentFilter = {
  service?: string;
  environment?: string;
  status?: Deployment["status"];
  before?: number;
};

/** Newest first, keyset-paged by start time. */
export function deploymentTimeline(db: Db, filter: DeploymentFilter, limit = 50): DeploymentView[] {
  const where: (SQL | undefined)[] = [
    filter.service ? eq(deployments.service, filter.service) : undefined,
    filter.environment ? eq(deployments.environment, filter.environment) : undefined,
    filter.status ? eq(deployments.status, filter.status) : undefined,
    filter.before ? lt(deployments.startedAt, new Date(filter.before)) : undefined,
  ];
  return db
    .select()
    .from(deployments)
    .where(and(...where))
    .orderBy(desc(deployments.startedAt))
    .limit(limit)
    .all()
    .map(toDeploymentView);
}

export function getDeployment(db: Db, id: number): Deployment | undefined {
  return db.select().from(deployments).where(eq(deployments.id, id)).get();
}

function succeededIn(db: Db, service: string, environment: string, since?: Date) {
  return db
    .select()
    .from(deployments)
    .where(
      and(
        eq(deployments.service, service),
        eq(deployments.environment, environment),
        eq(deployments.status, "succeeded"),
        since ? gte(deployments.startedAt, since) : undefined,
      ),
    )
    .orderBy(desc(deployments.startedAt))
    .all();
}

export type EnvComparison = {
  service: string;
  live: Record<string, DeploymentView | null>;
  /** "production runs v41, staging runs v44; 3 deploys behind" */
  summary: string | null;
};

/** What runs where, per service, and how far production trails staging. */
export function environmentComparison(db: Db, config: OpsdeckConfig): EnvComparison[] {
  return config.services.map((service) => {
    const live: Record<string, DeploymentView | null> = {};
    for (const env of Object.keys(service.environments)) {
      const d = succeededIn(db, service.id, env)[0];
      live[env] = d ? toDeploymentView(d) : null;
    }
    const [first, second] = config.environments
      .filter((e) => service.environments[e.id])
      .map((e) => e.id);
    let summary: string | null = null;
    if (first && second && live[first] && live[second]) {
      const prod = live[first]!;
      const staging = live[second]!;
      const stagingDeploys = succeededIn(db, service.id, second);
      const match = stagingDeploys.findIndex((d) => d.version === prod.version);
      const behind =
        match === -1
          ? stagingDeploys.filter((d) => d.startedAt.getTime() > Date.parse(prod.startedAt)).length
          : match;
      const name = (id: string) => config.environments.find((e) => e.id === id)?.name ?? id;
      summary =
        prod.version === staging.version
          ? `${name(first)} and ${name(second)} both run ${prod.version}`
          : `${name(first)} runs ${prod.version}, ${name(second)} runs ${staging.version}; ${behind} deploy${behind === 1 ? "" : "s"} behind`;
    }
    return { service: service.id, live, summary };
  });
}

/**
 * DORA figures from the deployment records: frequency, lead time (when the commit time
 * is known), change failure rate (failed deployments, and deployments undone by a
 * rollback), recovery time (from such a failure to the next good deployment) and
 * the success rate.
 */
export function doraFigures(
  db: Db,
  service: string,
  environment: string,
  days: number,
  now = Date.now(),
): DoraFigures {
  const rows = db
    .select()
    .from(deployments)
    .where(
      and(
        eq(deployments.service, service),
        eq(deployments.environment, environment),
        gte(deployments.startedAt, new Date(now - days * DAY)),
        lte(deployments.startedAt, new Date(now)),
      ),
    )
    .orderBy(asc(deployments.startedAt))
    .all()
    .filter((d) => d.status === "succeeded" || d.status === "failed");
  const succeeded = rows.filter((d) => d.status === "succeeded");
  const failed = rows.filter((d) => d.status === "failed");
  // A successful deployment that the next deployment rolled back was a change failure too.
  const undone = succeeded.filter((d, i) => {
    const next = succeeded[i + 1];
    return next?.rollbackOf !== null && next?.rollbackOf !== undefined && next.rollbackOf !== d.id;
  });
  const failures = [...failed, ...undone].sort(
    (a, b) => a.startedAt.getTime() - b.startedAt.getTime(),
  );
  const recoveries = failures.flatMap((f) => {
    const fix = succeeded.find((d) => d.startedAt > f.startedAt && !undone.includes(d));
    return fix?.finishedAt
      ? [fix.finishedAt.getTime() - (f.finishedAt ?? f.startedAt).getTime()]
      : [];
  });
  const leadTimes = succeeded.flatMap((d) =>
    d.committedAt && d.finishedAt ? [d.finishedAt.getTime() - d.committedAt.getTime()] : [],
  );
  const changes = succeeded.filter((d) => d.rollbackOf === null).length + failed.length;
  return {
    service,
    environment,
    days,
    deployments: rows.length,
    succeeded: succeeded.length,
    failed: failed.length,
    perWeek: (succeeded.length / days) * 7,
    leadTimeMedianMs: median(leadTimes),
    changeFailureRate: changes ? failures.length / changes : null,
    recoveryMedianMs: median(recoveries),
    successRate: rows.length ? succeeded.length / rows.length : null,
  };
}

/** Deploys as vertical markers for charts of a service in an environment. */
export function deployMarkers(
  db: Db,
  service: string,
  environment: string,
  from: number,
  to = Date.now(),
) {
  return db
    .select({
      at: deployments.startedAt,
      version: deployments.version,
      status: deployments.status,
      rollbackOf: deployments.rollbackOf,
    })
    .from(deployments)
    .where(
      and(
        eq(deployments.service, service),
        eq(deployments.environment, environment),
        gte(deployments.startedAt, new Date(from)),
        lte(deployments.startedAt, new Date(to)),
      ),
    )
    .orderBy(asc(deployments.startedAt))
    .all()
    .map((m) => ({
      t: m.at.getTime(),
      label: `${m.rollbackOf ? "rollback to " : ""}${m.version}`,
      failed: m.status === "failed",
    }));
}
