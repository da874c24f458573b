import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, setDb, type Db } from "@/server/db";

/** A fresh migrated database in its own temp directory, installed as the process database. */
export function freshDb(): Db {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-test-db-"));
  const db = openDatabase(dir);
  setDb(db);
  return db;
}
