import { beforeEach, describe, expect, it } from "vitest";
import { actAs, makeUser } from "@/test/callers";
import { freshDb } from "@/test/db";
import type { Db } from "@/server/db";
import { auditLog, backups, jobs } from "@/server/db/schema";
import { restoreBackupAction } from "./restore-backup";
import { triggerBackup } from "./trigger-backup";

let db: Db;
beforeEach(async () => {
  db = freshDb();
});

function verifiedBackup() {
  return db
    .insert(backups)
    .values({
      jobId: "navi-db",
      kind: "scheduled",
      status: "verified",
      verified: true,
      startedAt: new Date(),
      requestedBy: "schedule",
      file: "/tmp/x.db.gz",
    })
    .returning()
    .get();
}

describe("backup actions", () => {
  it("back up now returns the running backup instead of starting a second", async () => {
    actAs(await makeUser(db, "operator"));
    const first = await triggerBackup({ backup: "navi-db" });
    const second = await triggerBackup({ backup: "navi-db" });
    expect(first).toMatchObject({ ok: true, data: { created: true } });
    expect(second).toMatchObject({
      ok: true,
      data: { created: false, jobId: first.ok && first.data.jobId },
    });
    expect(db.select().from(jobs).all()).toHaveLength(1);
    expect(await triggerBackup({ backup: "nope" })).toMatchObject({ ok: false, status: 404 });
    expect(await triggerBackup({ backup: "analytics-pg" })).toMatchObject({
      ok: false,
      status: 409,
    });
  });

  it("a restore into a protected environment needs its name typed, and waits for a running backup", async () => {
    actAs(await makeUser(db, "admin"));
    const b = verifiedBackup();
    expect(await restoreBackupAction({ backupId: b.id })).toMatchObject({
      ok: false,
      status: 400,
      error: "Type the environment's name (Production) to confirm.",
    });
    expect(await restoreBackupAction({ backupId: b.id, confirm: "Staging" })).toMatchObject({
      ok: false,
      status: 400,
    });
    await triggerBackup({ backup: "navi-db" });
    expect(await restoreBackupAction({ backupId: b.id, confirm: "Production" })).toMatchObject({
      ok: false,
      status: 409,
    });
    db.update(jobs).set({ status: "succeeded" }).run();
    expect(await restoreBackupAction({ backupId: b.id, confirm: "Production" })).toMatchObject({
      ok: true,
    });
    expect(
      db
        .select()
        .from(auditLog)
        .all()
        .map((r) => r.action),
    ).toContain("backups.restore");
  });

  it("refuses to restore what is not a verified backup, and only admins may restore", async () => {
    actAs(await makeUser(db, "admin"));
    const failed = db
      .insert(backups)
      .values({
        jobId: "navi-db",
        kind: "manual",
        status: "failed",
        startedAt: new Date(),
        requestedBy: "x",
      })
      .returning()
      .get();
    expect(await restoreBackupAction({ backupId: failed.id, confirm: "Production" })).toMatchObject(
      { ok: false, status: 409 },
    );
    expect(await restoreBackupAction({ backupId: 999, confirm: "Production" })).toMatchObject({
      ok: false,
      status: 404,
    });
    actAs(await makeUser(db, "operator", "op2@example.com"));
    expect(
      await restoreBackupAction({ backupId: verifiedBackup().id, confirm: "Production" }),
    ).toMatchObject({ ok: false, status: 403 });
  });
});
