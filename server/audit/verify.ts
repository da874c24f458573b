import "server-only";
import fs from "node:fs";
import path from "node:path";
import type { Db } from "@/server/db";
import {
  checkpointValid,
  CHECKPOINT_FILE,
  databaseDir,
  describeCheckpoint,
  listCheckpoints,
  readCheckpointFile,
  type Checkpoint,
} from "./checkpoint";
import { auditRowHash, GENESIS_HASH, type HashedFields } from "./hash";
import { AUDIT_KEY_FILE, assertKeyMatches, loadAuditKey, type AuditKey } from "./key";

export type CheckpointSummary = { kind: string; rowId: number; at: Date };

export type ChainReport =
  | {
      ok: true;
      /** Rows whose hashes were recomputed (all of them, or those after the checkpoint). */
      rows: number;
      totalRows: number;
      headId: number;
      lastHash: string;
      /** The newest checkpoint the chain was checked against. */
      checkpoint: CheckpointSummary | null;
      warnings: string[];
    }
  | {
      ok: false;
      rows: number;
      /** The first row that is wrong or missing; null when a checkpoint itself is. */
      brokenAt: number | null;
      reason: string;
      warnings: string[];
    };

export type VerifyOptions = {
  /** "start" recomputes every row; "checkpoint" only those after the newest checkpoint. */
  from?: "start" | "checkpoint";
  /**
   * Told how far the verification got, once its read snapshot has ended: the rows are
   * read in one snapshot, and a write on the same connection inside it (a job's
   * progress) fails with SQLITE_BUSY whenever another connection wrote meanwhile.
   */
  onProgress?: (done: number, total: number) => void;
};

/** A stored audit row as SQLite returns it. */
export type RawAuditRow = {
  id: number;
  at: number;
  actor_id: number | null;
  actor_name: string;
  actor_role: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: string | null;
  prev_hash: string;
  hash: string;
};

export function hashedFields(row: RawAuditRow, details: unknown): HashedFields {
  return {
    id: row.id,
    at: new Date(row.at),
    actorId: row.actor_id,
    actorName: row.actor_name,
    actorRole: row.actor_role,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    outcome: row.outcome,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    details,
    prevHash: row.prev_hash,
  };
}

/**
 * Checks rows one after another: ids without gaps, each row's link to the one before,
 * its hash (HMAC, or SHA-256 up to the keyed boundary), and its hash against any
 * checkpoint of that row. Shared by the database and the archive verifiers.
 */
export class ChainWalker {
  private expectId: number | null;
  private expectPrev: string | null;
  last: { id: number; hash: string } | null = null;

  constructor(
    private readonly opts: {
      key: AuditKey | null;
      /** Rows up to this id are the SHA-256 chain from before the key. */
      legacyUpTo: number;
      /** The first row's id and its previous hash, when known. */
      startId: number | null;
      startPrev: string | null;
      checkpoints: Map<number, Checkpoint[]>;
    },
  ) {
    this.expectId = opts.startId;
    this.expectPrev = opts.startPrev;
  }

  /** Null when the row is right; otherwise why not. */
  check(row: HashedFields, storedHash: string): string | null {
    if (this.expectId !== null && row.id !== this.expectId) {
      return row.id > this.expectId
        ? this.expectId === row.id - 1
          ? `row ${this.expectId} is missing`
          : `rows ${this.expectId}–${row.id - 1} are missing`
        : "rows are out of order";
    }
    if (this.expectPrev !== null && row.prevHash !== this.expectPrev) {
      return "previous-hash link does not match the row before";
    }
    const key = row.id <= this.opts.legacyUpTo ? null : (this.opts.key?.secret ?? null);
    if (auditRowHash(row, key) !== storedHash) return "row content does not match its hash";
    for (const c of this.opts.checkpoints.get(row.id) ?? []) {
      if (c.rowHash !== storedHash)
        return `the row's hash is not the one ${describeCheckpoint(c)} vouches for`;
    }
    this.expectId = row.id + 1;
    this.expectPrev = storedHash;
    this.last = { id: row.id, hash: storedHash };
    return null;
  }
}

export function parseDetails(text: string | null): { ok: true; value: unknown } | { ok: false } {
  if (text === null) return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

const DAY_MS = 86_400_000;

const sameCheckpoint = (a: Checkpoint, b: Checkpoint) =>
  a.kind === b.kind &&
  a.rowId === b.rowId &&
  a.rowHash === b.rowHash &&
  a.at.getTime() === b.at.getTime() &&
  a.keyId === b.keyId &&
  a.signature === b.signature;

/**
 * Verifies the audit log against its key and its checkpoints (those in the database and
 * the copy beside it): every row's MAC and link, no rows missing at the start unless an
 * archive checkpoint covers them, and none missing at the end below the newest
 * checkpoint. Throws AuditKeyError when the key is missing or wrong.
 */
export function verifyAuditChain(db: Db, opts: VerifyOptions = {}): ChainReport {
  const sqlite = db.$client;
  const dir = databaseDir(db);
  const warnings: string[] = [];
  const fail = (brokenAt: number | null, reason: string, rows = 0): ChainReport => ({
    ok: false,
    rows,
    brokenAt,
    reason,
    warnings,
  });

  // The file first, then one read snapshot of the database: a checkpoint written while we
  // read is then never newer than the rows we see.
  let file: ReturnType<typeof readCheckpointFile>;
  try {
    file = readCheckpointFile(dir);
  } catch (err) {
    return fail(null, (err as Error).message);
  }
  let progress: [number, number] | undefined;
  const report = sqlite
    .transaction(() =>
      verifySnapshot(
        db,
        dir,
        file,
        { ...opts, onProgress: (done, total) => (progress = [done, total]) },
        warnings,
        fail,
      ),
    )
    .deferred();
  if (progress) opts.onProgress?.(...progress);
  return report;
}

function verifySnapshot(
  db: Db,
  dir: string,
  file: ReturnType<typeof readCheckpointFile>,
  opts: VerifyOptions,
  warnings: string[],
  fail: (brokenAt: number | null, reason: string, rows?: number) => ChainReport,
): ChainReport {
  const sqlite = db.$client;
  const stored = listCheckpoints(db);
  const all: (Checkpoint & { id?: number })[] = [...stored];
  for (const c of [file?.keyed, file?.latest]) {
    if (c && !all.some((o) => sameCheckpoint(o, c))) all.push(c);
  }
  const keyedAll = all.filter((c) => c.kind === "keyed");
  const keyed = keyedAll[0];
  if (keyedAll.some((c) => c.rowId !== keyed!.rowId || c.rowHash !== keyed!.rowHash)) {
    return fail(
      null,
      "the database and the checkpoint file disagree on where the keyed chain starts",
    );
  }

  let key: AuditKey | null = null;
  if (!keyed) {
    if (all.length > 0) return fail(null, "the keyed checkpoint is missing");
    if (fs.existsSync(path.join(dir, AUDIT_KEY_FILE))) {
      return fail(
        null,
        `the audit key exists but no keyed checkpoint does, in the database or in ${CHECKPOINT_FILE}: they were removed`,
      );
    }
    warnings.push(
      "The audit log is not keyed yet (it was written by an Opsdeck before the audit key): its rows are checked as a plain SHA-256 chain, which anyone who can write the database can recompute. It is keyed at the next audited change.",
    );
  } else {
    if (!file) {
      warnings.push(
        `There is no ${CHECKPOINT_FILE} beside the database: a cut tail is caught only by the checkpoints in the database.`,
      );
    }
    key = loadAuditKey(dir, { create: false });
    assertKeyMatches(key, keyed.keyId);
    for (const c of all) {
      if (!checkpointValid(key, c))
        return fail(null, `${describeCheckpoint(c)}: its signature is not valid`);
    }
  }

  const byRow = new Map<number, Checkpoint[]>();
  for (const c of all) byRow.set(c.rowId, [...(byRow.get(c.rowId) ?? []), c]);
  const archiveCut = all
    .filter((c) => c.kind === "archive")
    .reduce<Checkpoint | null>((a, c) => (!a || c.rowId > a.rowId ? c : a), null);
  const cutId = archiveCut?.rowId ?? 0;
  const newest = all.reduce<(Checkpoint & { id?: number }) | null>(
    (a, c) => (!a || c.rowId > a.rowId || (c.rowId === a.rowId && c.at > a.at) ? c : a),
    null,
  );

  const bounds = sqlite
    .prepare("select min(id) as first, max(id) as last, count(*) as n from audit_log")
    .get() as { first: number | null; last: number | null; n: number };
  if (bounds.first !== null && bounds.first - 1 > cutId) {
    return fail(
      bounds.first,
      cutId === 0
        ? `rows 1–${bounds.first - 1} are missing and no archive covers them`
        : `rows ${cutId + 1}–${bounds.first - 1} are missing (rows up to ${cutId} were archived)`,
    );
  }

  // Where to start: the first row, or just after the newest checkpoint the rows still reach.
  let startAfter: Checkpoint | null = null;
  if (opts.from === "checkpoint" && bounds.last !== null) {
    const first = bounds.first!;
    for (const c of all) {
      if (
        c.rowId <= bounds.last &&
        c.rowId >= first - 1 &&
        (!startAfter || c.rowId > startAfter.rowId)
      )
        startAfter = c;
    }
    if (startAfter && startAfter.rowId >= first) {
      const row = sqlite.prepare("select * from audit_log where id = ?").get(startAfter.rowId) as
        RawAuditRow | undefined;
      const details = row ? parseDetails(row.details) : { ok: false as const };
      if (!row || !details.ok || row.hash !== startAfter.rowHash) {
        return fail(
          startAfter.rowId,
          `the row is not the one ${describeCheckpoint(startAfter)} vouches for`,
        );
      }
      const legacy = row.id <= (keyed?.rowId ?? Infinity);
      if (
        auditRowHash(hashedFields(row, details.value), legacy ? null : (key?.secret ?? null)) !==
        row.hash
      )
        return fail(row.id, "row content does not match its hash");
    }
    // The rows before the checkpoint are not re-hashed, but none may be missing: the count
    // says so, and only when it does not add up is the first gap looked for.
    if (bounds.n !== bounds.last - first + 1) {
      const missing = sqlite
        .prepare(
          "select a.id + 1 as id from audit_log a where a.id < ? and not exists (select 1 from audit_log b where b.id = a.id + 1) order by a.id limit 1",
        )
        .get(bounds.last) as { id: number } | undefined;
      if (missing) return fail(missing.id, `row ${missing.id} is missing`);
    }
  }

  const first = bounds.first ?? cutId + 1;
  const startId = startAfter ? startAfter.rowId + 1 : first;
  const startPrev = startAfter
    ? startAfter.rowHash
    : first === 1
      ? GENESIS_HASH
      : (byRow.get(first - 1)?.[0]?.rowHash ?? null);
  const walker = new ChainWalker({
    key,
    legacyUpTo: keyed?.rowId ?? Infinity,
    startId,
    startPrev,
    checkpoints: byRow,
  });
  const total = bounds.last === null ? 0 : bounds.last - startId + 1;
  let rows = 0;
  for (const row of sqlite
    .prepare("select * from audit_log where id >= ? order by id")
    .iterate(startId) as IterableIterator<RawAuditRow>) {
    rows++;
    const details = parseDetails(row.details);
    if (!details.ok) return fail(row.id, "details are not valid JSON", rows);
    const problem = walker.check(hashedFields(row, details.value), row.hash);
    if (problem) return fail(row.id, problem, rows);
    if (opts.onProgress && rows % 5000 === 0) opts.onProgress(rows, total);
  }
  opts.onProgress?.(rows, total);

  const head = bounds.last ?? cutId;
  if (newest && newest.rowId > head) {
    return fail(
      head + 1,
      `the chain ends at row ${head}, but ${describeCheckpoint(newest)} vouches for row ${newest.rowId}: rows ${head + 1}–${newest.rowId} were removed`,
      rows,
    );
  }
  if (newest && Date.now() - newest.at.getTime() > 2 * DAY_MS) {
    warnings.push(
      `The newest checkpoint is ${Math.floor((Date.now() - newest.at.getTime()) / DAY_MS)} days old: rows after it could be cut without a trace. Is the daily maintenance running?`,
    );
  }
  return {
    ok: true,
    rows,
    totalRows: bounds.n,
    headId: head,
    lastHash: walker.last?.hash ?? startAfter?.rowHash ?? archiveCut?.rowHash ?? GENESIS_HASH,
    checkpoint: newest ? { kind: newest.kind, rowId: newest.rowId, at: newest.at } : null,
    warnings,
  };
}
