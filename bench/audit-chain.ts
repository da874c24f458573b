// npm run bench:audit [-- rows] — how fast audit rows are appended (each in its own
// IMMEDIATE transaction, as actions do), how long verifying the whole chain takes, how
// long the daily maintenance's check since the newest checkpoint takes after a day's
// worth (1,000) of new rows, and how long archiving every row takes.
// Prints figures; asserts nothing. Uses a temp database.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { exportArchive } from "../server/audit/archive";
import { writeCheckpoint } from "../server/audit/checkpoint";
import { verifyAuditChain } from "../server/audit/verify";
import { recordAudit } from "../server/audit/write";
import { openDatabase } from "../server/db";

const rows = Number(process.argv[2] ?? 100_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-bench-audit-"));
const db = openDatabase(dir);
const actor = { id: 1, name: "ada@example.com", role: "admin" };
const meta = { ip: "203.0.113.7", userAgent: "bench", requestId: "bench" };
const append = (n: number, from: number) => {
  for (let i = 0; i < n; i++) {
    recordAudit(db, actor, meta, {
      action: "users.change_role",
      targetType: "user",
      targetId: from + i,
      details: { from: "viewer", to: "operator" },
    });
  }
};
const seconds = (since: number) => +((performance.now() - since) / 1000).toFixed(2);

async function main() {
  let t = performance.now();
  append(rows, 0);
  const appendMs = performance.now() - t;

  t = performance.now();
  const report = verifyAuditChain(db);
  const verifyMs = performance.now() - t;
  const size =
    fs.statSync(path.join(dir, "opsdeck.db")).size +
    fs.statSync(path.join(dir, "opsdeck.db-wal")).size;

  writeCheckpoint(db, "verified");
  append(1000, rows);
  t = performance.now();
  const since = verifyAuditChain(db, { from: "checkpoint" });
  const sinceSeconds = seconds(t);

  t = performance.now();
  const archive = await exportArchive(db, {
    folder: path.join(dir, "archive"),
    firstId: 1,
    lastId: rows + 1000,
  });
  const archiveSeconds = seconds(t);

  console.log(
    JSON.stringify(
      {
        rows,
        appendPerSecond: Math.round(rows / (appendMs / 1000)),
        appendMeanMs: +(appendMs / rows).toFixed(3),
        verifySeconds: +(verifyMs / 1000).toFixed(2),
        verifyRowsPerSecond: Math.round(rows / (verifyMs / 1000)),
        chainOk: report.ok,
        databaseMiB: +(size / 1048576).toFixed(1),
        verifySinceCheckpointSeconds: sinceSeconds,
        verifySinceCheckpointRows: since.rows,
        archiveExportAndVerifySeconds: archiveSeconds,
        archiveMiB: +(archive.bytes / 1048576).toFixed(1),
      },
      null,
      2,
    ),
  );
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();
