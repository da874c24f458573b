import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { exportArchive } from "@/server/audit/archive";
import { writeCheckpoint } from "@/server/audit/checkpoint";
import { AUDIT_KEY_FILE } from "@/server/audit/key";
import { recordAudit } from "@/server/audit/write";
import { freshDb } from "@/test/db";

const root = path.resolve(__dirname, "..");

/** `npm run audit:verify -- …args` against `dataDir`: its exit code and what it printed. */
function cli(dataDir: string, args: string[] = []) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--conditions=react-server", "--import", "tsx", "scripts/audit-verify.ts", ...args],
      { cwd: root, env: { ...process.env, NODE_ENV: "test", OPSDECK_DATA_DIR: dataDir } },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

describe("npm run audit:verify", () => {
  it("verifies the database and archives offline, and says why it cannot", async () => {
    const db = freshDb();
    const dir = path.dirname(db.$client.name);
    for (let i = 0; i < 12; i++)
      recordAudit(
        db,
        { id: 1, name: "ada@example.com", role: "admin" },
        { ip: null, userAgent: null, requestId: null },
        { action: "users.create" },
      );
    const archive = await exportArchive(db, {
      folder: path.join(dir, "out"),
      firstId: 1,
      lastId: 8,
    });

    const intact = await cli(dir);
    expect(intact).toMatchObject({
      code: 0,
      out: expect.stringMatching(/Audit chain intact: 12 rows checked/),
    });
    expect(await cli(dir, ["--archive", archive.file])).toMatchObject({
      code: 0,
      out: expect.stringMatching(/intact, rows 1–8 \(8\)/),
    });

    // The archive, taken elsewhere with a copy of the key.
    const elsewhere = fs.mkdtempSync(path.join(path.dirname(dir), "offline-"));
    fs.copyFileSync(path.join(dir, AUDIT_KEY_FILE), path.join(elsewhere, "key"));
    const text = zlib.gunzipSync(fs.readFileSync(archive.file)).toString();
    fs.writeFileSync(
      path.join(elsewhere, "a.ndjson"),
      text.replace('"ip":null', '"ip":"10.9.9.9"'),
    );
    expect(
      await cli(elsewhere, [
        "--archive",
        path.join(elsewhere, "a.ndjson"),
        "--key-file",
        path.join(elsewhere, "key"),
      ]),
    ).toMatchObject({
      code: 2,
      out: expect.stringMatching(/BROKEN at line 2: row 1: row content/),
    });

    writeCheckpoint(db, "verified");
    db.$client.exec("drop trigger audit_log_no_delete");
    db.$client.prepare("delete from audit_log where id = 12").run();
    db.$client.pragma("wal_checkpoint(TRUNCATE)");
    expect(await cli(dir)).toMatchObject({
      code: 2,
      out: expect.stringMatching(/BROKEN at row 12: the chain ends at row 11/),
    });

    fs.rmSync(path.join(dir, AUDIT_KEY_FILE));
    expect(await cli(dir)).toMatchObject({
      code: 1,
      out: expect.stringMatching(/The audit key is missing/),
    });
  }, 60_000);
});
