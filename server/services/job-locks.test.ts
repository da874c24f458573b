import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { actAs, makeUser } from "@/test/callers";
import { freshDb } from "@/test/db";
import type { SessionUser } from "@/server/auth/session";
import type { Db } from "@/server/db";
import { auditLog, backups, jobs } from "@/server/db/schema";
import { upsertDeployment } from "@/server/deployments/record";
import { enqueueJob } from "@/server/jobs/queue";
import { restoreBackupAction } from "@/server/actions/restore-backup";
import { rollbackDeployment } from "@/server/actions/rollback-deployment";
import { startJob } from "@/server/actions/start-job";
import { triggerBackup } from "@/server/actions/trigger-backup";
import "@/server/jobs/kinds";

let db: Db;
let ada: SessionUser;
let bob: SessionUser;
beforeEach(async () => {
  db = freshDb();
  ada = await makeUser(db, "admin", "ada@example.com");
  bob = await makeUser(db, "admin", "bob@example.com");
});

const key = (n: number) => `click-${n}-00000000`;

function verified(n: number) {
  return db
    .insert(backups)
    .values({
      jobId: "navi-db",
      kind: "scheduled",
      status: "verified",
      verified: true,
      startedAt: new Date(Date.now() - n * 3_600_000),
      requestedBy: "schedule",
      file: `/tmp/navi-db-${n}.db.gz`,
    })
    .returning()
    .get();
}

function deployment(version: string, hoursAgo: number) {
  return upsertDeployment(db, {
    service: "backend",
    environment: "production",
    version,
    status: "succeeded",
    startedAt: new Date(Date.now() - hoursAgo * 3_600_000),
    finishedAt: new Date(Date.now() - hoursAgo * 3_600_000 + 60_000),
    source: "ci",
    reportedBy: "ci",
  }).deployment;
}

const audits = (action: string) =>
  db.select().from(auditLog).where(eq(auditLog.action, action)).all();

describe("a lock never hands back someone else's job", () => {
  it("restoring backup #5 while #3's restore runs is a 409 naming the running restore", async () => {
    const three = verified(3);
    const five = verified(5);
    actAs(ada);
    const first = await restoreBackupAction({
      backupId: three.id,
      confirm: "Production",
      requestKey: key(1),
    });
    expect(first).toMatchObject({ ok: true });
    const running = first.ok ? first.data.jobId : 0;

    const other = await restoreBackupAction({
      backupId: five.id,
      confirm: "Production",
      requestKey: key(2),
    });
    expect(other).toMatchObject({
      ok: false,
      status: 409,
      job: { id: running, requestedBy: "ada@example.com" },
    });
    expect(!other.ok && other.error).toMatch(
      new RegExp(
        `Restore a backup \\(job #${running}: backup #${three.id}\\), requested by ada@example\\.com, is queued since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC`,
      ),
    );
    // Nothing was queued and no audit row claims #5 was restored.
    expect(db.select().from(jobs).all()).toHaveLength(1);
    expect(audits("backups.restore").map((r) => r.targetId)).toEqual([String(three.id)]);

    // The same person asking for the same restore again is following their own job.
    expect(
      await restoreBackupAction({ backupId: three.id, confirm: "Production", requestKey: key(3) }),
    ).toMatchObject({ ok: true, data: { jobId: running } });
    // Someone else asking for it gets told whose it is.
    actAs(bob);
    expect(
      await restoreBackupAction({ backupId: three.id, confirm: "Production", requestKey: key(4) }),
    ).toMatchObject({ ok: false, status: 409, job: { id: running } });
  });

  it("rolling back to B while a rollback to A runs is a 409; the same rollback again is the same job", async () => {
    const a = deployment("1.4.0", 3);
    const b = deployment("1.4.1", 2);
    deployment("1.4.2", 1);
    const operator = await makeUser(db, "operator", "olu@example.com");
    actAs(operator);
    const toA = await rollbackDeployment({
      deploymentId: a.id,
      confirm: "Production",
      requestKey: key(1),
    });
    expect(toA).toMatchObject({ ok: true, data: { created: true } });
    const jobId = toA.ok ? toA.data.jobId : 0;
    const toB = await rollbackDeployment({
      deploymentId: b.id,
      confirm: "Production",
      requestKey: key(2),
    });
    expect(toB).toMatchObject({ ok: false, status: 409, job: { id: jobId } });
    expect(!toB.ok && toB.error).toMatch(
      /Roll back \/ redeploy \(job #\d+: rollback to 1\.4\.0\), requested by olu@example\.com/,
    );
    expect(
      await rollbackDeployment({ deploymentId: a.id, confirm: "Production", requestKey: key(3) }),
    ).toMatchObject({ ok: true, data: { jobId, created: false } });
    expect(audits("deployments.rollback").map((r) => r.targetId)).toEqual([
      String(a.id),
      String(a.id),
    ]);
  });

  it("'Back up now' while that backup runs follows it, whoever started it; during a restore it is a 409", async () => {
    const scheduled = enqueueJob(db, {
      kind: "backup.run",
      params: { backup: "navi-db", kind: "scheduled" },
      requestedBy: { id: null, name: "schedule:backup:navi-db" },
      lockKey: "backup:navi-db",
    }).job;
    actAs(bob);
    expect(await triggerBackup({ backup: "navi-db", requestKey: key(1) })).toMatchObject({
      ok: true,
      data: { jobId: scheduled.id, created: false, requestedBy: "schedule:backup:navi-db" },
    });
    db.update(jobs).set({ status: "succeeded" }).run();
    const b = verified(1);
    actAs(ada);
    const restore = await restoreBackupAction({ backupId: b.id, confirm: "Production" });
    actAs(bob);
    const during = await triggerBackup({ backup: "navi-db", requestKey: key(2) });
    expect(during).toMatchObject({
      ok: false,
      status: 409,
      job: { id: restore.ok ? restore.data.jobId : -1 },
    });
    expect(!during.ok && during.error).toMatch(/^Restore a backup/);
  });

  it("idempotency keys are scoped by user and target", async () => {
    const three = verified(3);
    const five = verified(5);
    actAs(ada);
    const mine = await restoreBackupAction({
      backupId: three.id,
      confirm: "Production",
      requestKey: key(7),
    });
    db.update(jobs).set({ status: "succeeded" }).run();
    // The same key from someone else, or for another target, is another request.
    actAs(bob);
    const theirs = await restoreBackupAction({
      backupId: three.id,
      confirm: "Production",
      requestKey: key(7),
    });
    expect(theirs.ok && mine.ok && theirs.data.jobId !== mine.data.jobId).toBe(true);
    db.update(jobs).set({ status: "succeeded" }).run();
    actAs(ada);
    const elsewhere = await restoreBackupAction({
      backupId: five.id,
      confirm: "Production",
      requestKey: key(7),
    });
    expect(elsewhere.ok && mine.ok && elsewhere.data.jobId !== mine.data.jobId).toBe(true);
    // The same person, target and key: the same job (a retried request).
    expect(
      await restoreBackupAction({ backupId: three.id, confirm: "Production", requestKey: key(7) }),
    ).toMatchObject({ ok: true, data: { jobId: mine.ok ? mine.data.jobId : -1 } });
  });

  it("starting maintenance while one runs follows the running one and says whose it is", async () => {
    const scheduled = enqueueJob(db, {
      kind: "db.maintenance",
      params: {},
      requestedBy: { id: null, name: "schedule:maintenance" },
      lockKey: "db.maintenance",
    }).job;
    actAs(ada);
    expect(await startJob({ kind: "db.maintenance", requestKey: key(1) })).toMatchObject({
      ok: true,
      data: { jobId: scheduled.id, created: false, requestedBy: "schedule:maintenance" },
    });
  });
});
