import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import { canonicalJson } from "./hash";
import { verifyAuditChain } from "./verify";
import { writeAudit, recordAudit } from "./write";

const actor = { id: 1, name: "ada@example.com", role: "admin" };
const meta = { ip: "10.0.0.7", userAgent: "test", requestId: "req-1" };

function seed(n: number) {
  const db = freshDb();
  for (let i = 0; i < n; i++) {
    recordAudit(db, actor, meta, {
      action: "users.create",
      targetType: "user",
      targetId: i,
      details: { email: `u${i}@x.io` },
    });
  }
  return db;
}

describe("audit chain", () => {
  it("links every row to the one before and verifies", () => {
    const db = seed(50);
    const report = verifyAuditChain(db);
    expect(report).toMatchObject({ ok: true, rows: 50 });
    const rows = db.$client
      .prepare("select id, prev_hash, hash from audit_log order by id")
      .all() as { id: number; prev_hash: string; hash: string }[];
    expect(rows[0]!.prev_hash).toBe("0".repeat(64));
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
  });

  it("refuses updates and deletes at the database level", () => {
    const db = seed(3);
    expect(() =>
      db.$client.prepare("update audit_log set actor_name = 'mallory' where id = 2").run(),
    ).toThrow(/append-only/);
    expect(() => db.$client.prepare("delete from audit_log where id = 2").run()).toThrow(
      /append-only/,
    );
  });

  it("detects an edited row, even when the edit bypasses the triggers", () => {
    const db = seed(10);
    db.$client.exec("drop trigger audit_log_no_update");
    db.$client.prepare("update audit_log set ip = '1.2.3.4' where id = 6").run();
    expect(verifyAuditChain(db)).toMatchObject({
      ok: false,
      brokenAt: 6,
      reason: "row content does not match its hash",
    });
  });

  it("detects a removed row and a re-hashed forgery in the middle", () => {
    const db = seed(10);
    db.$client.exec("drop trigger audit_log_no_delete");
    db.$client.prepare("delete from audit_log where id = 4").run();
    expect(verifyAuditChain(db)).toMatchObject({
      ok: false,
      brokenAt: 5,
      reason: "row 4 is missing",
    });
  });

  it("redacts credentials in details and keeps the action in the same transaction as the change", () => {
    const db = freshDb();
    expect(() =>
      db.transaction((tx) => {
        writeAudit(tx, actor, meta, {
          action: "users.reset_password",
          details: { password: "hunter2hunter2", userId: 3 },
        });
        throw new Error("change failed");
      }),
    ).toThrow("change failed");
    expect(db.$client.prepare("select count(*) n from audit_log").get()).toEqual({ n: 0 });
    recordAudit(db, actor, meta, {
      action: "users.reset_password",
      details: { password: "hunter2hunter2", userId: 3 },
    });
    const row = db.$client.prepare("select details from audit_log").get() as { details: string };
    expect(JSON.parse(row.details)).toEqual({ password: "[redacted]", userId: 3 });
  });
});

/** What someone who can write the database file, but lacks the key, can compute: SHA-256 over the published row layout. */
function rehashFrom(db: ReturnType<typeof seed>, fromId: number) {
  const sqlite = db.$client;
  sqlite.exec("drop trigger if exists audit_log_no_update");
  const rows = sqlite.prepare("select * from audit_log order by id").all() as Record<
    string,
    unknown
  >[];
  let prev = fromId === 1 ? "0".repeat(64) : (rows[fromId - 2]!.hash as string);
  for (const row of rows.slice(fromId - 1)) {
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

describe("audit chain against someone who can write the database file", () => {
  it("detects an edited row whose hash and every later hash were recomputed", () => {
    const db = seed(10);
    db.$client.exec("drop trigger audit_log_no_update");
    db.$client
      .prepare("update audit_log set actor_name = 'mallory@example.com' where id = 4")
      .run();
    rehashFrom(db, 4);
    expect(verifyAuditChain(db)).toMatchObject({ ok: false, brokenAt: 4 });
  });
});
