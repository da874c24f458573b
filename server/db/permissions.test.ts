import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./index";

const mode = (file: string) => fs.statSync(file).mode & 0o777;
const FILES = ["opsdeck.db", "opsdeck.db-wal", "opsdeck.db-shm"];

describe("the data directory and the database files are private to Opsdeck's user", () => {
  it("a new data directory is 0700 and the database files 0600, whatever the umask", () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-perm-")), "data");
    const umask = process.umask(0o002);
    try {
      const db = openDatabase(dir);
      db.$client.prepare("insert into login_throttle (key, last_failure_at) values ('k', 1)").run();
      expect(mode(dir)).toBe(0o700);
      for (const f of FILES) expect([f, mode(path.join(dir, f))]).toEqual([f, 0o600]);
      db.$client.close();
    } finally {
      process.umask(umask);
    }
  });

  it("an existing directory and database left readable by others are tightened", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-perm-"));
    openDatabase(dir).$client.close();
    fs.chmodSync(dir, 0o755);
    for (const f of FILES) {
      const file = path.join(dir, f);
      if (!fs.existsSync(file)) fs.writeFileSync(file, "");
      fs.chmodSync(file, 0o644);
    }
    const db = openDatabase(dir);
    expect(mode(dir)).toBe(0o700);
    for (const f of FILES) expect([f, mode(path.join(dir, f))]).toEqual([f, 0o600]);
    db.$client.close();
  });
});
