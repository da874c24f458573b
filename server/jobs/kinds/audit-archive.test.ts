import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { describe, expect, it, vi } from "vitest";
import { verifyArchiveFile } from "@/server/audit/archive";
import { listCheckpoints } from "@/server/audit/checkpoint";
import { canonicalJson } from "@/server/audit/hash";
import { loadAuditKey } from "@/server/audit/key";
import { verifyAuditChain } from "@/server/audit/verify";
import { writeAudit } from "@/server/audit/write";
import type { Db } from "@/server/db";
import { freshDb } from "@/test/db";
import { jobContext } from "@/test/job-context";
import { auditArchiveJob } from "./audit-archive";

const setting = vi.hoisted(() => ({ folder: undefined as string | undefined }));
vi.mock("@/server/config", () => ({
  getConfig: () => ({
    config: { housekeeping: { auditArchive: { olderThanDays: 365, folder: setting.folder } } },
  }),
}));

const actor = { id: 1, name: "ada@example.com", role: "admin" };
const meta = { ip: "192.0.2.1", userAgent: "vitest", requestId: null };
const DAY = 86_400_000;

/** `old` rows from 400 days ago, then `recent` from today. */
function history(old: number, recent: number): Db {
  const db = freshDb();
  db.transaction((tx) => {
    for (let i = 0; i < old; i++)
      writeAudit(
        tx,
        actor,
        meta,
        { action: "users.create", targetId: i },
        new Date(Date.now() - 400 * DAY + i),
      );
    for (let i = 0; i < recent; i++) writeAudit(tx, actor, meta, { action: "users.change_role" });
  });
  return db;
}

async function archive(db: Db, params: { olderThanDays?: number; upToId?: number } = {}) {
  const ctx = jobContext(db, "audit.archive");
  const result = (await auditArchiveJob.run({ ...ctx, params })) as Record<string, unknown>;
  return { result, lines: ctx.lines };
}

const ids = (db: Db) =>
  (db.$client.prepare("select id from audit_log order by id").all() as { id: number }[]).map(
    (r) => r.id,
  );
const keyOf = (db: Db) => loadAuditKey(path.dirname(db.$client.name), { create: false });

function rewriteArchive(file: string, edit: (lines: string[]) => string[]) {
  const lines = zlib.gunzipSync(fs.readFileSync(file)).toString("utf8").trimEnd().split("\n");
  fs.writeFileSync(file, zlib.gzipSync(`${edit(lines).join("\n")}\n`));
}

describe("audit archive", () => {
  it("exports old rows with a signed checkpoint, prunes them, and both parts verify", async () => {
    setting.folder = undefined;
    const db = history(20, 10);
    const { result } = await archive(db);
    expect(result).toMatchObject({ archived: 20, firstId: 1, lastId: 20, pruned: 20 });
    const file = result.file as string;
    expect(file).toBe(
      path.join(path.dirname(db.$client.name), "audit-archive", path.basename(file)),
    );
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    // 21–30 stay, and the archive's own audit row follows them.
    expect(ids(db)).toEqual(Array.from({ length: 11 }, (_, i) => 21 + i));
    const last = db.$client.prepare("select * from audit_log where id = 31").get() as {
      action: string;
      details: string;
    };
    expect(last.action).toBe("audit.archive");
    expect(JSON.parse(last.details)).toMatchObject({ firstId: 1, lastId: 20, rows: 20 });
    expect(verifyAuditChain(db)).toMatchObject({ ok: true, headId: 31, totalRows: 11 });
    expect(verifyAuditChain(db, { from: "checkpoint" })).toMatchObject({ ok: true });
    expect(await verifyArchiveFile(file, keyOf(db))).toMatchObject({
      ok: true,
      firstId: 1,
      lastId: 20,
      rows: 20,
    });

    // A second archive continues from the first cut.
    const second = await archive(db, { upToId: 25 });
    expect(second.result).toMatchObject({ archived: 5, firstId: 21, lastId: 25 });
    expect(await verifyArchiveFile(second.result.file as string, keyOf(db))).toMatchObject({
      ok: true,
      rows: 5,
    });
    expect(verifyAuditChain(db)).toMatchObject({ ok: true, headId: 32 });
    expect(
      listCheckpoints(db)
        .filter((c) => c.kind === "archive")
        .map((c) => c.rowId),
    ).toEqual([20, 25]);
  });

  it("archives nothing when no row is old enough", async () => {
    setting.folder = undefined;
    const db = history(0, 5);
    const { result, lines } = await archive(db);
    expect(result).toEqual({ archived: 0 });
    expect(lines.join("\n")).toMatch(/older than 365 days: nothing to archive/);
    expect(ids(db)).toEqual([1, 2, 3, 4, 5]);
  });

  it("fails on an archive whose row was edited, re-hashed, cut short or padded", async () => {
    setting.folder = undefined;
    const db = history(12, 2);
    const { result } = await archive(db);
    const file = result.file as string;
    const key = keyOf(db);
    const pristine = fs.readFileSync(file);

    rewriteArchive(file, (lines) =>
      lines.map((l) =>
        l.replace('"actorName":"ada@example.com"', '"actorName":"mallory@example.com"'),
      ),
    );
    expect(await verifyArchiveFile(file, key)).toMatchObject({
      ok: false,
      line: 2,
      reason: "row 1: row content does not match its hash",
    });

    // Re-hashing every row with SHA-256, as someone without the key can.
    fs.writeFileSync(file, pristine);
    rewriteArchive(file, (lines) => {
      let prev = "0".repeat(64);
      return lines.map((l) => {
        const v = JSON.parse(l);
        if (v.type !== "row") return l;
        v.actorName = "mallory@example.com";
        v.prevHash = prev;
        v.hash = createHash("sha256")
          .update(
            canonicalJson([
              v.id,
              v.at,
              v.actorId,
              v.actorName,
              v.actorRole,
              v.action,
              v.targetType,
              v.targetId,
              v.outcome,
              v.ip,
              v.userAgent,
              v.requestId,
              v.details,
              prev,
            ]),
          )
          .digest("hex");
        prev = v.hash;
        return JSON.stringify(v);
      });
    });
    expect(await verifyArchiveFile(file, key)).toMatchObject({ ok: false, line: 2 });

    fs.writeFileSync(file, pristine);
    rewriteArchive(file, (lines) => [...lines.slice(0, 5), lines.at(-1)!]);
    expect(await verifyArchiveFile(file, key)).toMatchObject({
      ok: false,
      reason: "the final checkpoint does not vouch for the last row",
    });

    fs.writeFileSync(file, pristine);
    rewriteArchive(file, (lines) => lines.slice(0, -1));
    expect(await verifyArchiveFile(file, key)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/final checkpoint is missing/),
    });

    fs.writeFileSync(file, pristine);
    rewriteArchive(file, (lines) => [...lines, lines[1]!]);
    expect(await verifyArchiveFile(file, key)).toMatchObject({
      ok: false,
      reason: "there is more after the final checkpoint",
    });

    fs.writeFileSync(file, pristine);
    expect(await verifyArchiveFile(file, key)).toMatchObject({ ok: true, rows: 12 });
  });

  it("prunes nothing when the export cannot be written", async () => {
    const db = history(8, 2);
    const blocker = path.join(path.dirname(db.$client.name), "not-a-folder");
    fs.writeFileSync(blocker, "a file where the folder should be");
    setting.folder = path.join(blocker, "archive");
    await expect(archive(db)).rejects.toThrow(
      /Cannot create the archive folder .*Nothing was archived/,
    );
    setting.folder = undefined;
    expect(ids(db)).toHaveLength(10);
    expect(listCheckpoints(db).some((c) => c.kind === "archive")).toBe(false);
    expect(
      db.$client.prepare("select count(*) n from audit_log where action = 'audit.archive'").get(),
    ).toEqual({ n: 0 });
    expect(verifyAuditChain(db)).toMatchObject({ ok: true, headId: 10 });
  });

  it("refuses to archive, and prunes nothing, when the rows to export are already broken", async () => {
    setting.folder = undefined;
    const db = history(8, 2);
    db.$client.exec("drop trigger audit_log_no_update");
    db.$client.prepare("update audit_log set ip = '203.0.113.9' where id = 5").run();
    await expect(archive(db)).rejects.toThrow(/broken at row 5.*nothing was archived/);
    expect(ids(db)).toHaveLength(10);
    const folder = path.join(path.dirname(db.$client.name), "audit-archive");
    expect(fs.readdirSync(folder)).toEqual([]);
  });

  it("lets the database delete archived rows only", async () => {
    setting.folder = undefined;
    const db = history(5, 5);
    expect(() => db.$client.prepare("delete from audit_log where id = 1").run()).toThrow(
      /only archived rows can be pruned/,
    );
    await archive(db);
    expect(() => db.$client.prepare("delete from audit_log where id = 6").run()).toThrow(
      /only archived rows can be pruned/,
    );
  });
});
