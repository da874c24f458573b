import { describe, expect, it } from "vitest";
import { listCheckpoints } from "@/server/audit/checkpoint";
import { recordAudit } from "@/server/audit/write";
import type { Db } from "@/server/db";
import { freshDb } from "@/test/db";
import { jobContext } from "@/test/job-context";
import { maintenanceJob } from "./maintenance";

const actor = { id: 1, name: "ada@example.com", role: "admin" };
const meta = { ip: null, userAgent: null, requestId: null };

function append(db: Db, n: number) {
  for (let i = 0; i < n; i++) recordAudit(db, actor, meta, { action: "users.create" });
}

async function maintain(db: Db) {
  const ctx = jobContext(db, "db.maintenance");
  const result = await maintenanceJob.run({ ...ctx, params: {} });
  return { result, lines: ctx.lines };
}

describe("daily maintenance and the audit chain", () => {
  it("checks only the rows since the newest checkpoint, then checkpoints the head", async () => {
    const db = freshDb();
    append(db, 20);
    const first = await maintain(db);
    expect(first.result).toMatchObject({ auditRowsChecked: 20, auditHeadId: 20 });
    append(db, 5);
    const second = await maintain(db);
    expect(second.result).toMatchObject({ auditRowsChecked: 5, auditHeadId: 25 });
    expect(second.lines.join("\n")).toMatch(/5 rows checked since the checkpoint of row 20/);
    expect(listCheckpoints(db).map((c) => [c.kind, c.rowId])).toEqual([
      ["keyed", 0],
      ["verified", 20],
      ["verified", 25],
    ]);
  });

  it("fails, and signs nothing, when a row after the checkpoint was edited", async () => {
    const db = freshDb();
    append(db, 10);
    await maintain(db);
    append(db, 3);
    db.$client.exec("drop trigger audit_log_no_update");
    db.$client.prepare("update audit_log set actor_name = 'mallory' where id = 12").run();
    await expect(maintain(db)).rejects.toThrow(/Audit chain broken at row 12/);
    expect(listCheckpoints(db).at(-1)).toMatchObject({ rowId: 10 });
  });

  it("fails when the tail was cut below the newest checkpoint", async () => {
    const db = freshDb();
    append(db, 10);
    await maintain(db);
    db.$client.exec("drop trigger audit_log_no_delete");
    db.$client.prepare("delete from audit_log where id > 7").run();
    await expect(maintain(db)).rejects.toThrow(/broken at row 8: the chain ends at row 7/);
  });

  it("notices a row deleted below the checkpoint without re-hashing the old rows", async () => {
    const db = freshDb();
    append(db, 10);
    await maintain(db);
    append(db, 2);
    db.$client.exec("drop trigger audit_log_no_delete");
    db.$client.prepare("delete from audit_log where id = 4").run();
    await expect(maintain(db)).rejects.toThrow(/broken at row 4: row 4 is missing/);
  });
});
