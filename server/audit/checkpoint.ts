import "server-only";
import { sameToken } from "@/server/http/token";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { asc, desc, eq, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/server/db";
import { auditCheckpoints, auditLog, type AUDIT_CHECKPOINT_KINDS } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { canonicalJson, GENESIS_HASH } from "./hash";
import { assertKeyMatches, loadAuditKey, type AuditKey } from "./key";

/** The checkpoints outside the database do not fit this database: writing on would break the chain. */
export class AuditCheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuditCheckpointError";
  }
}

/** Beside the database: the keyed checkpoint and the newest one, where a database writer cannot reach them. */
export const CHECKPOINT_FILE = "audit-checkpoint.json";

export type CheckpointKind = (typeof AUDIT_CHECKPOINT_KINDS)[number];

export type Checkpoint = {
  kind: CheckpointKind;
  rowId: number;
  rowHash: string;
  at: Date;
  keyId: string;
  signature: string;
};

function material(c: Omit<Checkpoint, "signature">): string {
  return canonicalJson([
    "opsdeck audit checkpoint v1",
    c.kind,
    c.rowId,
    c.rowHash,
    c.at.getTime(),
    c.keyId,
  ]);
}

export function signCheckpoint(
  key: AuditKey,
  fields: { kind: CheckpointKind; rowId: number; rowHash: string; at?: Date },
): Checkpoint {
  const unsigned = { ...fields, at: fields.at ?? new Date(), keyId: key.id };
  const signature = crypto
    .createHmac("sha256", key.secret)
    .update(material(unsigned))
    .digest("hex");
  return { ...unsigned, signature };
}

export function checkpointValid(key: AuditKey, c: Checkpoint): boolean {
  if (c.keyId !== key.id || !/^[0-9a-f]{64}$/.test(c.signature)) return false;
  const expected = crypto.createHmac("sha256", key.secret).update(material(c)).digest("hex");
  return sameToken(c.signature, expected);
}

/** How a checkpoint is named in messages: "checkpoint #3 (verified, 2025-01-01T03:30:00.000Z)". */
export function describeCheckpoint(c: Checkpoint & { id?: number }): string {
  return `checkpoint${c.id ? ` #${c.id}` : ""} (${c.kind}, ${c.at.toISOString()})`;
}

/** The directory of the database file: the audit key and the checkpoint file live there. */
export function databaseDir(db: DbOrTx): string {
  const row = db.get<{ file: string }>(
    sql`select file from pragma_database_list where name = 'main'`,
  );
  if (!row?.file)
    throw new Error("The audit log needs a database file, not an in-memory database.");
  return path.dirname(row.file);
}

export function listCheckpoints(db: DbOrTx): (Checkpoint & { id: number })[] {
  return db.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.id)).all();
}

export function insertCheckpoint(db: DbOrTx, c: Checkpoint): void {
  db.insert(auditCheckpoints)
    .values({
      kind: c.kind,
      rowId: c.rowId,
      rowHash: c.rowHash,
      at: c.at,
      keyId: c.keyId,
      signature: c.signature,
    })
    .run();
}

type FileShape = { keyed?: Checkpoint; latest?: Checkpoint };

/** A checkpoint as JSON (in the checkpoint file and in archives): `at` as an ISO string. */
export type JsonCheckpoint = Omit<Checkpoint, "at"> & { at: string };

export const checkpointToJson = (c: Checkpoint): JsonCheckpoint => ({
  kind: c.kind,
  rowId: c.rowId,
  rowHash: c.rowHash,
  at: c.at.toISOString(),
  keyId: c.keyId,
  signature: c.signature,
});

/** A checkpoint read back from JSON, or null when it is not one. */
export function checkpointFromJson(value: unknown): Checkpoint | null {
  if (!value || typeof value !== "object") return null;
  const v = value as Record<string, unknown>;
  const at = new Date(typeof v.at === "string" ? v.at : NaN);
  if (
    !(["keyed", "verified", "archive"] as unknown[]).includes(v.kind) ||
    !Number.isSafeInteger(v.rowId) ||
    typeof v.rowHash !== "string" ||
    Number.isNaN(at.getTime()) ||
    typeof v.keyId !== "string" ||
    typeof v.signature !== "string"
  )
    return null;
  return {
    kind: v.kind as CheckpointKind,
    rowId: v.rowId as number,
    rowHash: v.rowHash,
    at,
    keyId: v.keyId,
    signature: v.signature,
  };
}

/** The checkpoints kept beside the database, or null when there is no such file. */
export function readCheckpointFile(dir: string): FileShape | null {
  const file = path.join(dir, CHECKPOINT_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`The audit checkpoint file ${file} is not valid JSON.`);
  }
  const read = (field: "keyed" | "latest") => {
    if (json[field] === undefined) return undefined;
    const c = checkpointFromJson(json[field]);
    if (!c) throw new Error(`The audit checkpoint file ${file} has a malformed "${field}".`);
    return c;
  };
  return { keyed: read("keyed"), latest: read("latest") };
}

/** Whether `a` vouches for more of the chain than `b`. */
const further = (a: Checkpoint, b: Checkpoint | undefined) =>
  !b || a.rowId > b.rowId || (a.rowId === b.rowId && a.at > b.at);

/** Records `c` in the file (atomically: a temp file renamed over it), keeping the furthest checkpoint as `latest`. */
function keyedCheckpoint(db: DbOrTx): Checkpoint | undefined {
  return db
    .select()
    .from(auditCheckpoints)
    .where(eq(auditCheckpoints.kind, "keyed"))
    .orderBy(asc(auditCheckpoints.id))
    .limit(1)
    .get();
}

export function saveCheckpointFile(db: DbOrTx, c: Checkpoint): void {
  const dir = databaseDir(db);
  const current = readCheckpointFile(dir) ?? {};
  const next = {
    format: "opsdeck-audit-checkpoints",
    version: 1,
    // A file made anew (it was moved aside, or the database came from elsewhere) gets the
    // keyed checkpoint from the database, so it can guard the boundary again.
    keyed: current.keyed ?? (c.kind === "keyed" ? c : keyedCheckpoint(db)),
    latest: further(c, current.latest) ? c : current.latest,
  };
  for (const field of ["keyed", "latest"] as const) {
    const value = next[field];
    if (value) (next as Record<string, unknown>)[field] = checkpointToJson(value);
  }
  const file = path.join(dir, CHECKPOINT_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  // "wx" after removing any leftover: never write through a link someone left in its place.
  fs.rmSync(tmp, { force: true });
  const fd = fs.openSync(tmp, "wx", 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify(next, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** The newest row (id and hash); with every row archived, the archive's cut; with none, the genesis. */
export function chainHead(db: DbOrTx): { rowId: number; rowHash: string } {
  const last = db
    .select({ id: auditLog.id, hash: auditLog.hash })
    .from(auditLog)
    .orderBy(desc(auditLog.id))
    .limit(1)
    .get();
  if (last) return { rowId: last.id, rowHash: last.hash };
  const cut = db
    .select()
    .from(auditCheckpoints)
    .where(eq(auditCheckpoints.kind, "archive"))
    .orderBy(desc(auditCheckpoints.rowId))
    .limit(1)
    .get();
  return cut ? { rowId: cut.rowId, rowHash: cut.rowHash } : { rowId: 0, rowHash: GENESIS_HASH };
}

/**
 * The key to MAC the next row with, inside the writer's transaction. The first keyed
 * write of a database records a signed "keyed" checkpoint at the current head: rows up
 * to it are the SHA-256 chain of an older Opsdeck, vouched for from then on, never
 * rewritten. If that checkpoint has gone from the database but the file beside it still
 * has it, it is put back from there, so deleting checkpoints cannot make forged rows
 * pass as old ones. A database older than that checkpoint (a restored backup, or a
 * swapped-in copy) is refused: new rows would land where the file says old ones are.
 */
export function chainKey(db: DbOrTx): AuditKey {
  const dir = databaseDir(db);
  const keyed = keyedCheckpoint(db);
  if (keyed) {
    const key = loadAuditKey(dir, { create: false });
    assertKeyMatches(key, keyed.keyId);
    return key;
  }
  const file = readCheckpointFile(dir);
  if (file?.keyed) {
    const key = loadAuditKey(dir, { create: false });
    assertKeyMatches(key, file.keyed.keyId);
    const where = path.join(dir, CHECKPOINT_FILE);
    if (!checkpointValid(key, file.keyed))
      throw new AuditCheckpointError(
        `The keyed checkpoint in ${where} is not signed by the audit key.`,
      );
    const head = chainHead(db);
    if (file.keyed.rowId > head.rowId) {
      // Extending this log would put new HMAC rows where the boundary says SHA-256 rows are.
      throw new AuditCheckpointError(
        `The audit log in this database ends at row ${head.rowId}, before row ${file.keyed.rowId} where ${where} ` +
          `says its keyed chain starts: the database is older than the checkpoint file. If you restored an ` +
          `earlier backup of Opsdeck's database, move ${CHECKPOINT_FILE} aside (keep it) and start again.`,
      );
    }
    insertCheckpoint(db, file.keyed);
    logger.error(
      "the keyed audit checkpoint was missing from the database and was restored from the checkpoint file: run the audit verification",
    );
    return key;
  }
  const key = loadAuditKey(dir, { create: true });
  const cp = signCheckpoint(key, { kind: "keyed", ...chainHead(db) });
  insertCheckpoint(db, cp);
  saveCheckpointFile(db, cp);
  return key;
}

/**
 * At start-up: keys the chain if it is not yet (sealing an older SHA-256 chain at once,
 * rather than at the first change), makes the checkpoint file again if it is missing,
 * and fails with an AuditKeyError when the key is missing or wrong, so that is said
 * before anyone tries to sign in.
 */
export function ensureAuditKey(db: Db): AuditKey {
  const key = db.transaction((tx) => chainKey(tx), { behavior: "immediate" });
  if (!readCheckpointFile(databaseDir(db))) {
    const newest = db
      .select()
      .from(auditCheckpoints)
      .orderBy(desc(auditCheckpoints.rowId), desc(auditCheckpoints.id))
      .limit(1)
      .get();
    if (newest) saveCheckpointFile(db, newest);
  }
  return key;
}

/**
 * Signs and stores a checkpoint of `at` (default: the current head), in the database
 * and in the file beside it. "verified" only after a verification passed; "archive"
 * at an archive's cut.
 */
export function writeCheckpoint(
  db: Db,
  kind: Exclude<CheckpointKind, "keyed">,
  at?: { rowId: number; rowHash: string },
): Checkpoint {
  const cp = db.transaction(
    (tx) => {
      const key = chainKey(tx);
      const c = signCheckpoint(key, { kind, ...(at ?? chainHead(tx)) });
      insertCheckpoint(tx, c);
      return c;
    },
    { behavior: "immediate" },
  );
  saveCheckpointFile(db, cp);
  return cp;
}
