import { beforeEach, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import type { DeployOutcome } from "@/lib/deploy-outcome";
import { parseConfigText } from "@/server/config/load";
import type { Db } from "@/server/db";
import type { Deployment } from "@/server/db/schema";
import { upsertDeployment, type DeploymentInput } from "@/server/deployments/record";
import { doraFigures, environmentComparison } from "./deployments";

const now = Date.parse("2026-11-27T12:00:00Z");
const MIN = 60_000;
const H = 60 * MIN;

let db: Db;
beforeEach(() => {
  db = freshDb();
});

type Row = {
  version: string;
  /** Started this long before `now`; every deploy takes 5 minutes. */
  ago: number;
  status: "succeeded" | "failed";
  environment?: string;
  source?: Deployment["source"];
  /** Committed this long before it started. */
  commit?: number;
  rollbackOf?: Deployment;
  /** Opsdeck's rollbacks: the verification's outcome, 10 minutes after the start. */
  outcome?: DeployOutcome;
};

function add(r: Row): Deployment {
  const startedAt = new Date(now - r.ago);
  const input: DeploymentInput = {
    service: "backend",
    environment: r.environment ?? "production",
    version: r.version,
    status: r.status,
    startedAt,
    finishedAt: new Date(startedAt.getTime() + 5 * MIN),
    committedAt: r.commit === undefined ? null : new Date(startedAt.getTime() - r.commit),
    source: r.source ?? (r.rollbackOf ? "opsdeck" : "ci"),
    rollbackOf: r.rollbackOf?.id ?? null,
    reportedBy: "test",
  };
  const d = upsertDeployment(db, input).deployment;
  if (!r.outcome) return d;
  db.$client
    .prepare("update deployments set outcome = ?, outcome_at = ? where id = ?")
    .run(r.outcome, startedAt.getTime() + 10 * MIN, d.id);
  return { ...d, outcome: r.outcome, outcomeAt: new Date(startedAt.getTime() + 10 * MIN) };
}

describe("DORA figures, against a history worked out by hand", () => {
  it("counts changes, not rollbacks; a rollback that failed its checks recovers nothing", () => {
    // production, over 30 days (every deploy takes 5 min; Opsdeck's verdict comes at +10 min):
    //  #  version  started  result                              commit before start
    //  A  1.0.0    300 h    succeeded                           2 h
    //  B  1.1.0    200 h    failed                              —
    //  A2 1.1.1    199 h    succeeded (the fix for B)           30 min
    //  C  1.2.0    150 h    succeeded, then rolled back         3 h
    //  R1 → A      149 h    rollback: deployed, but unhealthy
    //  R2 → A      148 h    rollback: failed
    //  R3 → A      147 h    rollback: verified healthy
    //  D  1.3.0     50 h    succeeded                           1 h
    //  E  1.4.0     10 h    succeeded                           4 h
    const A = add({ version: "1.0.0", ago: 300 * H, status: "succeeded", commit: 2 * H });
    add({ version: "1.1.0", ago: 200 * H, status: "failed" });
    add({ version: "1.1.1", ago: 199 * H, status: "succeeded", commit: 30 * MIN });
    add({ version: "1.2.0", ago: 150 * H, status: "succeeded", commit: 3 * H });
    add({
      version: "1.0.0",
      ago: 149 * H,
      status: "succeeded",
      rollbackOf: A,
      outcome: "unhealthy",
    });
    add({ version: "1.0.0", ago: 148 * H, status: "failed", rollbackOf: A, outcome: "failed" });
    add({ version: "1.0.0", ago: 147 * H, status: "succeeded", rollbackOf: A, outcome: "healthy" });
    add({ version: "1.3.0", ago: 50 * H, status: "succeeded", commit: 1 * H });
    add({ version: "1.4.0", ago: 10 * H, status: "succeeded", commit: 4 * H });
    // Staging's deploys and another window's never count here.
    add({ version: "9.9.9", ago: 5 * H, status: "failed", environment: "staging" });
    add({ version: "0.9.0", ago: 40 * 24 * H, status: "failed" });

    const f = doraFigures(db, "backend", "production", 30, now);
    // Deployment frequency: changes A, A2, C, D, E succeeded (rollbacks are not changes):
    // 5 in 30 days = 5 / 30 × 7 = 1.1667 a week.
    expect(f.perWeek).toBeCloseTo((5 / 30) * 7, 6);
    // Lead time: commit → deployed (start + 5 min): A2 35 min, D 1 h 5, A 2 h 5, C 3 h 5,
    // E 4 h 5; the median of five is the third, 2 h 5 min.
    expect(f.leadTimeMedianMs).toBe(2 * H + 5 * MIN);
    // Change failure rate: of the 6 changes (A, B, A2, C, D, E), B failed and C was
    // rolled back while live: 2 / 6.
    expect(f.changeFailureRate).toBeCloseTo(2 / 6, 6);
    // Recovery: B failed at −200 h + 5 min, A2 (a good deploy) done at −199 h + 5 min: 1 h.
    // C went live at −150 h + 5 min; R1 was unhealthy and R2 failed, so neither recovered
    // it; R3 was verified healthy at −147 h + 10 min: 3 h 5 min. Median of 1 h and
    // 3 h 5 min: 2 h 2 min 30 s.
    expect(f.recoveryMedianMs).toBe(2 * H + 2 * MIN + 30_000);
    // Success rate: 9 finished here; B, R1 (unhealthy) and R2 (failed) did not go well: 6 / 9.
    expect(f).toMatchObject({ deployments: 9, succeeded: 6, failed: 3 });
    expect(f.successRate).toBeCloseTo(6 / 9, 6);
  });

  it("with nothing to count, says so instead of zero", () => {
    expect(doraFigures(db, "backend", "production", 30, now)).toMatchObject({
      perWeek: 0,
      leadTimeMedianMs: null,
      changeFailureRate: null,
      recoveryMedianMs: null,
      successRate: null,
    });
  });
});

describe("what runs where", () => {
  const config = parseConfigText(
    `
environments: [{ id: production, name: Production }, { id: staging, name: Staging }]
services:
  - id: backend
    name: Navi backend
    environments: { production: { url: "http://127.0.0.1:1" }, staging: { url: "http://127.0.0.1:2" } }
`,
    "test.yaml",
    () => "",
  );
  const summary = () => environmentComparison(db, config)[0]!.summary;

  it("rolling production back from 1.4.2 to 1.4.0 puts it further behind staging, not level", () => {
    // production got 1.4.0 (before staging existed), then 1.4.2; staging 1.4.1, 1.4.2, 1.4.3.
    const p140 = add({ version: "1.4.0", ago: 110 * H, status: "succeeded" });
    for (const [i, v] of ["1.4.1", "1.4.2", "1.4.3"].entries())
      add({ version: v, ago: (100 - i * 10) * H, status: "succeeded", environment: "staging" });
    add({ version: "1.4.2", ago: 75 * H, status: "succeeded" });
    expect(summary()).toBe("Production runs 1.4.2, Staging runs 1.4.3; 1 deploy behind");
    // The rollback is what production runs now: 1.4.1, 1.4.2 and 1.4.3 came after 1.4.0.
    add({
      version: "1.4.0",
      ago: 1 * H,
      status: "succeeded",
      rollbackOf: p140,
      outcome: "healthy",
    });
    expect(summary()).toBe("Production runs 1.4.0, Staging runs 1.4.3; 3 deploys behind");
  });

  it("a version staging never had counts from when it reached production; a staging rollback counts too", () => {
    add({ version: "2.0.0-hotfix", ago: 50 * H, status: "succeeded" });
    for (const [i, v] of ["2.1.0", "2.2.0", "2.3.0"].entries())
      add({ version: v, ago: (40 - i * 10) * H, status: "succeeded", environment: "staging" });
    expect(summary()).toBe("Production runs 2.0.0-hotfix, Staging runs 2.3.0; 3 deploys behind");
    const s210 = db.$client
      .prepare("select * from deployments where environment = 'staging' and version = '2.1.0'")
      .get() as { id: number };
    add({
      version: "2.1.0",
      ago: 1 * H,
      status: "succeeded",
      environment: "staging",
      rollbackOf: { id: s210.id } as Deployment,
      outcome: "healthy",
    });
    expect(summary()).toBe("Production runs 2.0.0-hotfix, Staging runs 2.1.0; 1 deploy behind");
  });
});
