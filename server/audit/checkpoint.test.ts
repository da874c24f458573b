import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/server/db";
import { freshDb } from "@/test/db";
import {
  AuditCheckpointError,
  CHECKPOINT_FILE,
  ensureAuditKey,
  listCheckpoints,
  writeCheckpoint,
} from "./checkpoint";
import { canonicalJson } from "./hash";
import { AUDIT_KEY_FILE, AuditKeyError } from "./key";
import { verifyAuditChain } from "./verify";
import { recordAudit } from "./write";

const actor = { id: 1, name: "ada@example.com", role: "admin" };
const meta = { ip: "10.0.0.7", userAgent: "test", requestId: "req-1" };

function append(db: Db, n: number) {
  for (let i = 0; i < n; i++) {
    recordAudit(db, actor, meta, { action: "users.create", targetType: "user", targetId: i });
  }
}

const dirOf = (db: Db) => path.dirname(db.$client.name);

/** Someone with write access to the database file: no triggers, no key. */
function attacker(db: Db) {
  const sqlite = db.$client;
  for (const t of ["audit_log_no_update", "audit_log_no_delete"])
    sqlite.exec(`drop trigger if exists ${t}`);
  for (const t of ["audit_checkpoints_no_update", "audit_checkpoints_no_delete"])
    sqlite.exec(`drop trigger if exists ${t}`);
  return sqlite;
}

/** The plain SHA-256 chain of Opsdeck before the key: what an install upgraded to this version holds. */
function legacyRows(db: Db, n: number) {
  const sqlite = db.$client;
  let prev = "0".repeat(64);
  for (let id = 1; id <= n; id++) {
    const at = Date.UTC(2024, 0, 1) + id * 1000;
    const fields = [id, at, 1, "ada@example.com", "admin", "users.create", "user", String(id)];
    const hash = createHash("sha256")
      .update(canonicalJson([...fields, "success", "10.0.0.7", "old", null, null, prev]))
      .digest("hex");
    sqlite
      .prepare(
        `insert into audit_log (id, at, actor_id, actor_name, actor_role, action, target_type,
           target_id, outcome, ip, user_agent, request_id, details, prev_hash, hash)
         values (?, ?, ?, ?, ?, ?, ?, ?, 'success', '10.0.0.7', 'old', null, null, ?, ?)`,
      )
      .run(...fields, prev, hash);
    prev = hash;
  }
}

/** Re-hashes rows from `fromId` on with plain SHA-256, as the attacker can. */
function rehash(db: Db, fromId: number) {
  const sqlite = attacker(db);
  const rows = sqlite
    .prepare("select * from audit_log where id >= ? order by id")
    .all(fromId) as Record<string, unknown>[];
  let prev =
    (sqlite.prepare("select hash from audit_log where id = ?").get(fromId - 1) as { hash: string })
      ?.hash ?? "0".repeat(64);
  for (const row of rows) {
    const material = canonicalJson([
      row.id,
      row.at,
      row.actor_id,
      row.actor_name,
      row.actor_role,
      row.action,
      row.target_type,
      row.target_id,
      row.outcome,
      row.ip,
      row.user_agent,
      row.request_id,
      row.details === null ? null : JSON.parse(row.details as string),
      prev,
    ]);
    const hash = createHash("sha256").update(material).digest("hex");
    sqlite
      .prepare("update audit_log set prev_hash = ?, hash = ? where id = ?")
      .run(prev, hash, row.id);
    prev = hash;
  }
}

describe("keyed audit chain", () => {
  it("verifies a correct chain against its newest checkpoint", () => {
    const db = freshDb();
    append(db, 20);
    const cp = writeCheckpoint(db, "verified");
    append(db, 5);
    expect(cp).toMatchObject({ rowId: 20, kind: "verified" });
    expect(verifyAuditChain(db)).toMatchObject({
      ok: true,
      rows: 25,
      headId: 25,
      checkpoint: { rowId: 20 },
    });
    // The key lives beside the database, never in it.
    expect(fs.statSync(path.join(dirOf(db), AUDIT_KEY_FILE)).mode & 0o777).toBe(0o600);
    const dump = fs.readFileSync(db.$client.name).toString("latin1");
    const key = fs.readFileSync(path.join(dirOf(db), AUDIT_KEY_FILE), "utf8").trim();
    expect(dump).not.toContain(key);
  });

  it("reports progress where the job can store it, though another connection writes meanwhile", () => {
    // The jobs thread verifies on its own connection while the engine thread records checks.
    const db = freshDb();
    append(db, 20);
    const other = openDatabase(dirOf(db));
    other.$client.exec("create table scratch (x integer)");
    const seen: number[] = [];
    const report = verifyAuditChain(db, {
      onProgress: (done) => {
        other.$client.prepare("insert into scratch values (1)").run();
        // What ctx.progress does: a write on the verifying connection.
        db.$client.prepare("insert into scratch values (2)").run();
        seen.push(done);
      },
    });
    other.$client.close();
    expect(report).toMatchObject({ ok: true, rows: 20 });
    expect(seen).toEqual([20]);
  });

  it("detects an edited row re-hashed to the end of the chain", () => {
    const db = freshDb();
    append(db, 12);
    attacker(db).prepare("update audit_log set ip = '1.2.3.4' where id = 7").run();
    rehash(db, 7);
    expect(verifyAuditChain(db)).toMatchObject({
      ok: false,
      brokenAt: 7,
      reason: "row content does not match its hash",
    });
  });

  it("detects tail truncation below the newest checkpoint, even with the checkpoints deleted", () => {
    const db = freshDb();
    append(db, 30);
    writeCheckpoint(db, "verified");
    append(db, 3);
    const sqlite = attacker(db);
    sqlite.prepare("delete from audit_log where id > 25").run();
    expect(verifyAuditChain(db)).toMatchObject({ ok: false, brokenAt: 26 });
    expect(verifyAuditChain(db)).toMatchObject({
      reason: expect.stringMatching(/ends at row 25.*vouches for row 30/),
    });

    // The checkpoints go too: the copy kept outside the database still knows.
    sqlite.prepare("delete from audit_checkpoints where row_id > 0").run();
    expect(verifyAuditChain(db)).toMatchObject({ ok: false, brokenAt: 26 });
    expect(verifyAuditChain(db, { from: "checkpoint" })).toMatchObject({ ok: false, brokenAt: 26 });
  });

  it("detects an edited checkpoint and a forged one", () => {
    const db = freshDb();
    append(db, 10);
    writeCheckpoint(db, "verified");
    const sqlite = attacker(db);
    sqlite.prepare("update audit_checkpoints set row_id = 9 where row_id = 10").run();
    expect(verifyAuditChain(db)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/checkpoint .* signature is not valid/),
    });
    sqlite.prepare("update audit_checkpoints set row_id = 10 where row_id = 9").run();
    expect(verifyAuditChain(db)).toMatchObject({ ok: true });

    // An "archive" checkpoint to excuse the rows cut from the start: it needs the key.
    const keyed = listCheckpoints(db)[0]!;
    sqlite.prepare("delete from audit_log where id <= 3").run();
    const row3 = "f".repeat(64);
    sqlite
      .prepare(
        "insert into audit_checkpoints (kind, row_id, row_hash, at, key_id, signature) values ('archive', 3, ?, ?, ?, ?)",
      )
      .run(row3, Date.now(), keyed.keyId, createHash("sha256").update(row3).digest("hex"));
    expect(verifyAuditChain(db)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/checkpoint #\d+ \(archive.*signature is not valid/),
    });
  });

  it("detects rows removed from the start without an archive", () => {
    const db = freshDb();
    append(db, 10);
    attacker(db).prepare("delete from audit_log where id <= 3").run();
    expect(verifyAuditChain(db)).toMatchObject({ ok: false, brokenAt: 4 });
  });

  it("says clearly when the key is missing, and never makes a new one for a keyed log", () => {
    const db = freshDb();
    append(db, 3);
    const keyFile = path.join(dirOf(db), AUDIT_KEY_FILE);
    fs.rmSync(keyFile);
    expect(() => verifyAuditChain(db)).toThrow(AuditKeyError);
    expect(() => verifyAuditChain(db)).toThrow(/audit key is missing.*OPSDECK_AUDIT_KEY/s);
    expect(() => append(db, 1)).toThrow(/audit key is missing/);
    expect(fs.existsSync(keyFile)).toBe(false);
    expect(db.$client.prepare("select count(*) n from audit_log").get()).toEqual({ n: 3 });
  });

  it("says clearly when the key is not the one the log was started with", () => {
    const db = freshDb();
    append(db, 3);
    fs.writeFileSync(path.join(dirOf(db), AUDIT_KEY_FILE), randomBytes(48).toString("base64url"));
    expect(() => verifyAuditChain(db)).toThrow(/not the key this audit log was started with/);
    expect(() => append(db, 1)).toThrow(/not the key this audit log was started with/);
  });

  it("keeps the checkpoint file outside the database in step with the newest checkpoint", () => {
    const db = freshDb();
    append(db, 4);
    writeCheckpoint(db, "verified");
    const file = JSON.parse(fs.readFileSync(path.join(dirOf(db), CHECKPOINT_FILE), "utf8"));
    expect(file.latest).toMatchObject({ rowId: 4, kind: "verified" });
    expect(file.keyed).toMatchObject({ rowId: 0, kind: "keyed" });
    expect(listCheckpoints(db).map((c) => [c.kind, c.rowId])).toEqual([
      ["keyed", 0],
      ["verified", 4],
    ]);
  });
});

describe("moving an existing SHA-256 chain to the key", () => {
  it("seals the old rows with a signed checkpoint at the boundary, rewriting nothing", () => {
    const db = freshDb();
    legacyRows(db, 8);
    const before = db.$client.prepare("select id, hash from audit_log order by id").all();
    expect(verifyAuditChain(db)).toMatchObject({
      ok: true,
      rows: 8,
      warnings: [expect.stringMatching(/not keyed yet/)],
    });
    append(db, 2);
    expect(
      db.$client.prepare("select id, hash from audit_log where id <= 8 order by id").all(),
    ).toEqual(before);
    expect(listCheckpoints(db)).toMatchObject([{ kind: "keyed", rowId: 8 }]);
    expect(verifyAuditChain(db)).toMatchObject({ ok: true, rows: 10, warnings: [] });
  });

  it("detects an old row re-hashed after the boundary was sealed", () => {
    const db = freshDb();
    legacyRows(db, 8);
    append(db, 2);
    attacker(db).prepare("update audit_log set actor_name = 'mallory' where id = 3").run();
    rehash(db, 3);
    expect(verifyAuditChain(db)).toMatchObject({ ok: false, brokenAt: 8 });
  });

  it("does not let deleted checkpoints re-seal a forged chain as old rows", () => {
    const db = freshDb();
    append(db, 6);
    const sqlite = attacker(db);
    sqlite.prepare("delete from audit_checkpoints").run();
    sqlite.prepare("update audit_log set actor_name = 'mallory' where id = 2").run();
    rehash(db, 1);
    // Opsdeck keeps writing; the boundary comes back from the file, not from the forged rows.
    append(db, 1);
    expect(listCheckpoints(db)).toMatchObject([{ kind: "keyed", rowId: 0 }]);
    expect(verifyAuditChain(db)).toMatchObject({ ok: false, brokenAt: 1 });
  });

  it("refuses to extend a database older than the keyed boundary, such as a restored old backup", () => {
    const db = freshDb();
    legacyRows(db, 8);
    append(db, 1);
    const sqlite = attacker(db);
    sqlite.prepare("delete from audit_checkpoints").run();
    sqlite.prepare("delete from audit_log where id > 5").run();
    expect(() => append(db, 1)).toThrow(AuditCheckpointError);
    expect(() => append(db, 1)).toThrow(
      /ends at row 5, before row 8 .*move audit-checkpoint.json aside/s,
    );
    expect(db.$client.prepare("select count(*) n from audit_log").get()).toEqual({ n: 5 });
  });

  it("makes a missing checkpoint file again with the keyed checkpoint, so it still guards the boundary", () => {
    const db = freshDb();
    append(db, 4);
    writeCheckpoint(db, "verified");
    const file = path.join(dirOf(db), CHECKPOINT_FILE);
    fs.rmSync(file);
    expect(verifyAuditChain(db)).toMatchObject({
      ok: true,
      warnings: [expect.stringMatching(/no audit-checkpoint.json/)],
    });
    ensureAuditKey(db);
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toMatchObject({
      keyed: { kind: "keyed", rowId: 0 },
      latest: { kind: "verified", rowId: 4 },
    });

    const sqlite = attacker(db);
    sqlite.prepare("delete from audit_checkpoints").run();
    rehash(db, 1);
    append(db, 1);
    expect(verifyAuditChain(db)).toMatchObject({ ok: false, brokenAt: 1 });
  });
});
