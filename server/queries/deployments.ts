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

/**
 * When each version first reached an environment by a deploy of its own (a rollback or
 * redeploy brings back an old version; it does not make it new), oldest first.
 */
function firstArrivals(db: Db, service: string, environment: string) {
  const seen = new Map<string, number>();
  for (const d of succeededIn(db, service, environment).reverse())
    if (d.source !== "opsdeck" && d.rollbackOf === null && !seen.has(d.version))
      seen.set(d.version, d.startedAt.getTime());
  return seen;
}

/**
 * What runs where, per service, and how far the first environment (production) trails the
 * second (staging): by what each runs now (its newest live deployment, rollbacks
 * included), counting the versions the second received after the one the first runs.
 */
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
      const name = (id: string) => config.environments.find((e) => e.id === id)?.name ?? id;
      const arrivals = firstArrivals(db, service.id, second);
      // A version the second environment never had: when it first reached the first one.
      const prodSince =
        arrivals.get(prod.version) ?? firstArrivals(db, service.id, first).get(prod.version);
      const stagingSince = arrivals.get(staging.version);
      const behind =
        prodSince === undefined || stagingSince === undefined
          ? null
          : [...arrivals.values()].filter((t) => t > prodSince && t <= stagingSince).length;
      summary =
        prod.version === staging.version
          ? `${name(first)} and ${name(second)} both run ${prod.version}`
          : `${name(first)} runs ${prod.version}, ${name(second)} runs ${staging.version}${
              behind ? `; ${behind} deploy${behind === 1 ? "" : "s"} behind` : ""
            }`;
    }
    return { service: service.id, live, summary };
  });
}

/** A new change (not a rollback or redeploy, which bring back what was deployed before). */
const isChange = (d: Deployment) => d.source !== "opsdeck" && d.rollbackOf === null;
const isRollback = (d: Deployment) => d.rollbackOf !== null;
/** Finished, went live, and not found unhealthy (or failed, or interrupted) afterwards. */
const wentWell = (d: Deployment) =>
  d.status === "succeeded" &&
  (d.outcome === null || d.outcome === "healthy" || d.outcome === "unverified");
const finished = (d: Deployment) =>
  d.status === "succeeded" || d.status === "failed" || d.outcome !== null;

/**
 * DORA's four figures from the deployment records, as lib/dora.ts defines them (each is
 * shown with its definition), and the success rate of every finished deploy.
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
    .orderBy(asc(deployments.startedAt), asc(deployments.id))
    .all()
    .filter(finished);
  const changes = rows.filter(isChange);
  const goodChanges = changes.filter((d) => d.status === "succeeded");
  // Undone: a rollback to something else was made while this change was the live one.
  const undone = new Set(
    goodChanges
      .filter((c) => {
        const i = rows.indexOf(c);
        const nextChange = rows.findIndex(
          (d, j) => j > i && isChange(d) && d.status === "succeeded",
        );
        return rows
          .slice(i + 1, nextChange === -1 ? undefined : nextChange)
          .some((d) => isRollback(d) && d.rollbackOf !== c.id);
      })
      .map((c) => c.id),
  );
  const failures = changes.filter((d) => d.status === "failed" || undone.has(d.id));
  // Recovered by the next deployment that left it working.
  const restores = (d: Deployment) =>
    d.source === "opsdeck" ? d.outcome === "healthy" : wentWell(d) && !undone.has(d.id);
  const restoredAt = (d: Deployment) =>
    (d.source === "opsdeck" ? d.outcomeAt : d.finishedAt) ?? d.startedAt;
  const recoveries = failures.flatMap((f) => {
    const fix = rows.find((d) => d.startedAt > f.startedAt && restores(d));
    return fix ? [restoredAt(fix).getTime() - (f.finishedAt ?? f.startedAt).getTime()] : [];
  });
  const leadTimes = goodChanges.flatMap((d) =>
    d.committedAt && d.finishedAt ? [d.finishedAt.getTime() - d.committedAt.getTime()] : [],
  );
  const succeeded = rows.filter(wentWell).length;
  return {
    service,
    environment,
    days,
    deployments: rows.length,
    succeeded,
    failed: rows.length - succeeded,
    perWeek: (goodChanges.length / days) * 7,
    leadTimeMedianMs: median(leadTimes),
    changeFailureRate: changes.length ? failures.length / changes.length : null,
    recoveryMedianMs: median(recoveries),
    successRate: rows.length ? succeeded / rows.length : null,
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
