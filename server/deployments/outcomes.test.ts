import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import { jobContext } from "@/test/job-context";
import { deployResultWord, OUTCOME_WORDS, type DeployOutcome } from "@/lib/deploy-outcome";
import { slackMessage } from "@/server/alerts/channels/slack";
import { textLines } from "@/server/alerts/channels/render";
import { dispatch } from "@/server/alerts/dispatch";
import { evaluateRules } from "@/server/alerts/evaluate";
import type { NotificationPayload } from "@/server/alerts/payload";
import { getConfig, installConfig } from "@/server/config";
import { parseConfigText } from "@/server/config/load";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { auditLog, checkResults, deployments, jobs, notifications } from "@/server/db/schema";
import { JobCanceled } from "@/server/jobs/abort";
import { deployActionJob } from "@/server/jobs/kinds/deployments";
import { toDeploymentView } from "@/server/queries/deployments";
import { recoverInterruptedDeploys } from "./recover";
import { upsertDeployment } from "./record";

// A rollback's outcome is one word, the same on the deployments list, the job, the audit
// row, the alert and the notification; the notification goes out once the verification
// has finished, never when only the deploy step has.

const yaml = (command: string[]) => `
environments: [{ id: production, name: Production }, { id: staging, name: Staging }]
services:
  - id: backend
    name: Navi backend
    environments:
      staging:
        url: "http://127.0.0.1:1"
        deploy: { provider: command, rollback: ${JSON.stringify(command)} }
        verify: { checks: 2, timeout: 10s }
monitors:
  - { id: staging-health, service: backend, environment: staging, type: http, url: "http://127.0.0.1:1/health", interval: 10s }
alerts:
  rules:
    - { id: rollback-finished, name: Rollback finished, severity: info, condition: { type: deployment, kinds: [rollback], events: [succeeded, failed] } }
    - { id: job-failed, name: Job failed, severity: warning, condition: { type: job } }
  channels:
    - { id: slack, type: slack, webhookUrl: "\${SLACK}" }
  route: { channels: [slack], groupWait: 0s }
`;

let db: Db;
beforeEach(() => {
  db = freshDb();
});

function setup(command: string[], opts: { monitors?: boolean; verifyTimeout?: number } = {}) {
  const config: OpsdeckConfig = parseConfigText(
    yaml(command),
    "test.yaml",
    () => "http://127.0.0.1:9/slack",
  );
  if (opts.monitors === false) config.monitors = [];
  // The schema's floor is 10 s; an unhealthy verdict need not take that long here.
  if (opts.verifyTimeout !== undefined)
    config.services[0]!.environments.staging!.verify.timeout = opts.verifyTimeout;
  installConfig({ ...getConfig(), config });
  for (const [version, hoursAgo] of [
    ["2.0.0", 1],
    ["1.9.0", 5],
  ] as const)
    upsertDeployment(db, {
      service: "backend",
      environment: "staging",
      version,
      status: "succeeded",
      startedAt: new Date(Date.now() - hoursAgo * 3_600_000),
      finishedAt: new Date(Date.now() - hoursAgo * 3_600_000 + 60_000),
      source: "ci",
      reportedBy: "ci",
    });
  const target = db.select().from(deployments).where(eq(deployments.version, "1.9.0")).get()!;
  return { config, target };
}

/** Checks of the staging monitor, dated after the deploy will have finished. */
function checks(...statuses: ("up" | "down")[]) {
  statuses.forEach((status, i) =>
    db
      .insert(checkResults)
      .values({
        monitorId: "staging-health",
        at: new Date(Date.now() + 60_000 + i * 1000),
        status,
        error: status === "down" ? "HTTP 503" : null,
      })
      .run(),
  );
}

/** Runs the rollback job as the runner would; returns its result or its error's message. */
async function rollback(
  target: { id: number },
  ctxExtra: Partial<ReturnType<typeof jobContext>> = {},
) {
  const ctx = { ...jobContext(db, "deploy.action"), ...ctxExtra };
  ctx.params = { action: "rollback", deploymentId: target.id };
  try {
    const result = (await deployActionJob.run(ctx as never)) as { word: string };
    return { job: "succeeded", message: result.word };
  } catch (err) {
    const status = ctx.signal.aborted ? "canceled" : "failed";
    // What the runner does with a job that threw.
    db.update(jobs)
      .set({ status, error: (err as Error).message, finishedAt: new Date() })
      .where(eq(jobs.id, ctx.jobId))
      .run();
    return { job: status, message: (err as Error).message };
  }
}

/** What Slack and email would say once the rules have looked (after the settle time). */
function notified(config: OpsdeckConfig): string[] {
  const at = Date.now() + 10_000;
  evaluateRules(db, config, at);
  dispatch(db, config, at);
  return db
    .select()
    .from(notifications)
    .all()
    .map((n) => {
      const p = n.payload as NotificationPayload;
      return [slackMessage(p).text, ...textLines(p)].join("\n");
    });
}

function opsdeckRecord() {
  const row = db.select().from(deployments).where(eq(deployments.source, "opsdeck")).get()!;
  return { row, word: deployResultWord(toDeploymentView(row)) };
}

function auditOutcome() {
  const row = db
    .select()
    .from(auditLog)
    .where(eq(auditLog.action, "deployments.rollback_completed"))
    .get()!;
  return row.details as { outcome: DeployOutcome; detail: string };
}

describe("a rollback's outcome, in one word everywhere", () => {
  it("verified healthy: the list, the job, the audit row and one notification say so", async () => {
    const { config, target } = setup(["true"]);
    checks("up", "up");
    const job = await rollback(target);
    const word = OUTCOME_WORDS.healthy;
    expect(job).toEqual({ job: "succeeded", message: word });
    expect(opsdeckRecord().word).toBe(word);
    expect(auditOutcome()).toMatchObject({
      outcome: "healthy",
      detail: expect.stringMatching(/^verified healthy/),
    });
    const sent = notified(config);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain(`Rollback to 1.9.0 of Navi backend in Staging: ${word}`);
    expect(sent[0]).not.toMatch(/succeeded|FIRING|RESOLVED/);
  });

  it("deployed, but unhealthy: the job fails with those words and so does every message", async () => {
    const { config, target } = setup(["true"], { verifyTimeout: 1 });
    checks("down", "down");
    const job = await rollback(target);
    const word = OUTCOME_WORDS.unhealthy;
    expect(job.job).toBe("failed");
    expect(job.message).toMatch(
      /^deployed, but unhealthy: Navi|^deployed, but unhealthy: staging-health/,
    );
    expect(opsdeckRecord().word).toBe(word);
    // The deploy itself went through: it is what runs now.
    expect(opsdeckRecord().row.status).toBe("succeeded");
    expect(auditOutcome().outcome).toBe("unhealthy");
    const sent = notified(config);
    // The rollback's event, and the failed job's: both say "deployed, but unhealthy".
    expect(sent).toHaveLength(2);
    for (const text of sent) expect(text).toContain(word);
    expect(sent.join("\n")).not.toMatch(/succeeded/);
  });

  it("deployed, but not verified: no monitor watches it, and nothing calls it healthy", async () => {
    const { config, target } = setup(["true"], { monitors: false });
    const job = await rollback(target);
    const word = OUTCOME_WORDS.unverified;
    expect(job).toEqual({ job: "succeeded", message: word });
    expect(opsdeckRecord().word).toBe(word);
    expect(auditOutcome().outcome).toBe("unverified");
    const sent = notified(config);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain(`Navi backend in Staging: ${word}`);
    expect(sent[0]).not.toMatch(/healthy/);
  });

  it("failed: the platform refused; the record, the job and the messages say failed", async () => {
    const { config, target } = setup(["false"]);
    const job = await rollback(target);
    expect(job.job).toBe("failed");
    expect(job.message).toMatch(/^failed: /);
    expect(opsdeckRecord()).toMatchObject({ word: "failed", row: { status: "failed" } });
    expect(
      db
        .select()
        .from(auditLog)
        .all()
        .map((a) => a.details?.outcome),
    ).toContain("failed");
    const sent = notified(config);
    expect(sent).toHaveLength(2);
    expect(sent.find((t) => t.includes("Rollback to 1.9.0"))).toContain("Staging: failed");
  });

  it("interrupted: canceled while its checks were watched, it is interrupted, not healthy", async () => {
    const { config, target } = setup(["true"]);
    const abort = new AbortController();
    const job = await rollback(target, {
      signal: abort.signal,
      progress: (_p: number, text?: string) => {
        if (text === "verifying health") abort.abort(new JobCanceled("ada@example.com"));
      },
    });
    expect(job.job).toBe("canceled");
    expect(opsdeckRecord().word).toBe(OUTCOME_WORDS.interrupted);
    expect(auditOutcome().outcome).toBe("interrupted");
    const sent = notified(config);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain("Navi backend in Staging: interrupted");
  });

  it("interrupted by a crash during verification: marked at start, and notified as such", () => {
    const { config } = setup(["true"]);
    upsertDeployment(db, {
      service: "backend",
      environment: "staging",
      version: "1.9.0",
      status: "succeeded",
      startedAt: new Date(Date.now() - 30_000),
      finishedAt: new Date(Date.now() - 20_000),
      source: "opsdeck",
      rollbackOf: 2,
      reportedBy: "ada",
    });
    // Deployed and being verified: nothing is said yet.
    expect(opsdeckRecord().word).toBe("verifying health");
    expect(notified(config)).toEqual([]);
    db.update(jobs).set({ status: "failed" }).run();
    expect(recoverInterruptedDeploys(db)).toBe(1);
    expect(opsdeckRecord().word).toBe("interrupted");
    expect(notified(config)[0]).toContain("Navi backend in Staging: interrupted");
  });

  it("is notified when the verification has finished, not when the deploy step has", async () => {
    const { config, target } = setup(["true"]);
    let during: string[] | null = null;
    const job = rollback(target, {
      progress: (_p: number, text?: string) => {
        if (text === "verifying health" && during === null) {
          during = notified(config);
          checks("up", "up");
        }
      },
    });
    expect((await job).job).toBe("succeeded");
    expect(during).toEqual([]);
    expect(notified(config)).toHaveLength(1);
  });
});
