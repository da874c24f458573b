import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { desc, eq } from "drizzle-orm";
import type { Db } from "@/server/db";
import { auditCheckpoints } from "@/server/db/schema";
import {
  checkpointFromJson,
  checkpointToJson,
  checkpointValid,
  describeCheckpoint,
  ensureAuditKey,
  signCheckpoint,
  type Checkpoint,
} from "./checkpoint";
import { GENESIS_HASH, type HashedFields } from "./hash";
import type { AuditKey } from "./key";
import { ChainWalker, hashedFields, parseDetails, type RawAuditRow } from "./verify";

export const ARCHIVE_FORMAT = "opsdeck-audit-archive";
const PAGE = 1000;

/** An archive that could not be written or does not verify: nothing was pruned. */
export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArchiveError";
  }
}

/** The archive cut of the log so far (rows up to it were exported and may be pruned). */
export function archiveCut(db: Db): Checkpoint | null {
  return (
    db
      .select()
      .from(auditCheckpoints)
      .where(eq(auditCheckpoints.kind, "archive"))
      .orderBy(desc(auditCheckpoints.rowId))
      .limit(1)
      .get() ?? null
  );
}

function keyedCheckpoint(db: Db): Checkpoint {
  const row = db
    .select()
    .from(auditCheckpoints)
    .where(eq(auditCheckpoints.kind, "keyed"))
    .limit(1)
    .get();
  if (!row) throw new ArchiveError("The audit log has no keyed checkpoint; verify it first.");
  return row;
}

/**
 * The rows an archive would take: from the first stored row up to `upToId`, and only
 * while every row is older than `olderThan` (the cut stops before the first newer row).
 */
export function rowsToArchive(
  db: Db,
  opts: { olderThan?: Date; upToId?: number },
): { firstId: number; lastId: number } | null {
  const sqlite = db.$client;
  const { first, last } = sqlite
    .prepare("select min(id) as first, max(id) as last from audit_log")
    .get() as { first: number | null; last: number | null };
  if (first === null || last === null) return null;
  let lastId = Math.min(last, opts.upToId ?? last);
  if (opts.olderThan) {
    const young = sqlite
      .prepare("select min(id) as id from audit_log where at >= ?")
      .get(opts.olderThan.getTime()) as { id: number | null };
    if (young.id !== null) lastId = Math.min(lastId, young.id - 1);
  }
  return lastId >= first ? { firstId: first, lastId } : null;
}

function rowLine(row: RawAuditRow, details: unknown): string {
  return JSON.stringify({
    type: "row",
    id: row.id,
    at: row.at,
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
    hash: row.hash,
  });
}

export type ExportedArchive = {
  file: string;
  firstId: number;
  lastId: number;
  rows: number;
  bytes: number;
  sha256: string;
  checkpoint: Checkpoint;
};

/**
 * Writes rows `firstId`..`lastId` to a gzipped NDJSON file in `folder`: a header with
 * the keyed checkpoint and the checkpoint the rows continue from, every row as stored,
 * and a signed checkpoint of the last row. Each row's hash is checked on the way out, the
 * file gets its name only once complete, and is then read back and verified; any
 * failure removes it and throws, and nothing in the database changes.
 */
export async function exportArchive(
  db: Db,
  opts: {
    folder: string;
    firstId: number;
    lastId: number;
    signal?: AbortSignal;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<ExportedArchive> {
  const { firstId, lastId } = opts;
  const key = ensureAuditKey(db);
  const keyed = keyedCheckpoint(db);
  const cut = archiveCut(db);
  if (firstId !== (cut?.rowId ?? 0) + 1) {
    throw new ArchiveError(
      `The archive must start at row ${(cut?.rowId ?? 0) + 1}, just after the last archived row.`,
    );
  }
  const checkpoints = new Map<number, Checkpoint[]>();
  for (const c of db.select().from(auditCheckpoints).all())
    checkpoints.set(c.rowId, [...(checkpoints.get(c.rowId) ?? []), c]);
  const walker = new ChainWalker({
    key,
    legacyUpTo: keyed.rowId,
    startId: firstId,
    startPrev: cut?.rowHash ?? GENESIS_HASH,
    checkpoints,
  });

  const name = `audit-${String(firstId).padStart(9, "0")}-${String(lastId).padStart(9, "0")}.ndjson.gz`;
  try {
    fs.mkdirSync(opts.folder, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new ArchiveError(
      `Cannot create the archive folder ${opts.folder}: ${(err as NodeJS.ErrnoException).code ?? err}. Nothing was archived.`,
    );
  }
  const file = path.join(opts.folder, name);
  const tmp = `${file}.partial`;
  const total = lastId - firstId + 1;
  let last: { id: number; hash: string } | null = null;
  const select = db.$client.prepare(
    "select * from audit_log where id > ? and id <= ? order by id limit ?",
  );

  async function* lines(): AsyncGenerator<string> {
    yield `${JSON.stringify({
      type: "header",
      format: ARCHIVE_FORMAT,
      version: 1,
      createdAt: new Date().toISOString(),
      firstId,
      lastId,
      rows: total,
      keyed: checkpointToJson(keyed),
      start: cut ? checkpointToJson(cut) : null,
    })}\n`;
    let after = firstId - 1;
    let done = 0;
    for (;;) {
      if (opts.signal?.aborted) throw new ArchiveError("Stopped before the archive was complete.");
      // A page at a time: an open iterator would hold the connection for the whole export.
      const rows = select.all(after, lastId, PAGE) as RawAuditRow[];
      if (rows.length === 0) break;
      let chunk = "";
      for (const row of rows) {
        const details = parseDetails(row.details);
        const problem = details.ok
          ? walker.check(hashedFields(row, details.value), row.hash)
          : "details are not valid JSON";
        if (problem) {
          throw new ArchiveError(
            `The audit chain is broken at row ${row.id} (${problem}); nothing was archived. See the runbook on a broken audit chain.`,
          );
        }
        chunk += `${rowLine(row, details.ok ? details.value : null)}\n`;
        last = { id: row.id, hash: row.hash };
      }
      after = rows.at(-1)!.id;
      done += rows.length;
      opts.onProgress?.(done, total);
      yield chunk;
      await new Promise((r) => setImmediate(r));
    }
    if (!last || last.id !== lastId) {
      throw new ArchiveError(`Rows up to ${lastId} were expected; the log ends earlier.`);
    }
    const checkpoint = signCheckpoint(key, { kind: "archive", rowId: last.id, rowHash: last.hash });
    yield `${JSON.stringify({ type: "checkpoint", checkpoint: checkpointToJson(checkpoint) })}\n`;
  }

  try {
    fs.rmSync(tmp, { force: true });
    await pipeline(
      Readable.from(lines()),
      zlib.createGzip(),
      fs.createWriteStream(tmp, { mode: 0o600, flags: "wx" }),
    );
    const fd = fs.openSync(tmp, "r+");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    if (err instanceof ArchiveError) throw err;
    throw new ArchiveError(
      `Cannot write the archive ${tmp}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Nothing was archived.`,
    );
  }

  const report = await verifyArchiveFile(file, key);
  if (!report.ok) {
    fs.rmSync(file, { force: true });
    throw new ArchiveError(
      `The written archive does not verify (line ${report.line}: ${report.reason}); it was removed and nothing was archived.`,
    );
  }
  const bytes = fs.statSync(file).size;
  const sha256 = crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  return { file, firstId, lastId, rows: report.rows, bytes, sha256, checkpoint: report.checkpoint };
}

export type ArchiveReport =
  | { ok: true; firstId: number; lastId: number; rows: number; checkpoint: Checkpoint }
  | { ok: false; line: number; reason: string };

/**
 * Verifies an archive on its own, with the audit key and nothing else: the header's
 * checkpoints are signed, the rows run without a gap from the one the start checkpoint
 * names, each row's hash is right, and the last row is the one the final signed
 * checkpoint vouches for (so a cut or padded file fails too).
 */
export async function verifyArchiveFile(file: string, key: AuditKey): Promise<ArchiveReport> {
  const head = Buffer.alloc(2);
  const fd = fs.openSync(file, "r");
  try {
    fs.readSync(fd, head, 0, 2, 0);
  } finally {
    fs.closeSync(fd);
  }
  const raw = fs.createReadStream(file);
  const input = head[0] === 0x1f && head[1] === 0x8b ? raw.pipe(zlib.createGunzip()) : raw;
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  const bad = (reason: string): ArchiveReport => ({ ok: false, line: n, reason });
  let header: Record<string, unknown> | null = null;
  let walker: ChainWalker | null = null;
  let rows = 0;
  let final: Checkpoint | null = null;
  try {
    for await (const text of rl) {
      n++;
      if (final) return bad("there is more after the final checkpoint");
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return bad("not JSON");
      }
      if (n === 1) {
        if (line.type !== "header" || line.format !== ARCHIVE_FORMAT || line.version !== 1)
          return bad("not an Opsdeck audit archive (version 1)");
        const keyed = checkpointFromJson(line.keyed);
        const start = line.start === null ? null : checkpointFromJson(line.start);
        if (!keyed || keyed.kind !== "keyed" || line.start === undefined || (line.start && !start))
          return bad("the header's checkpoints are malformed");
        if (keyed.keyId !== key.id)
          return bad(
            `the archive was signed with audit key id ${keyed.keyId}, not this key (${key.id})`,
          );
        for (const c of [keyed, start]) {
          if (c && !checkpointValid(key, c))
            return bad(`${describeCheckpoint(c)} in the header: its signature is not valid`);
        }
        if (start && start.kind !== "archive")
          return bad("the start checkpoint is not an archive cut");
        const firstId = line.firstId;
        if (!Number.isSafeInteger(firstId) || firstId !== (start?.rowId ?? 0) + 1)
          return bad("the first row does not follow the start checkpoint");
        header = line;
        walker = new ChainWalker({
          key,
          legacyUpTo: keyed.rowId,
          startId: firstId as number,
          startPrev: start?.rowHash ?? GENESIS_HASH,
          checkpoints: new Map(),
        });
        continue;
      }
      if (line.type === "row") {
        const row = archivedRow(line);
        if (!row) return bad("a row is malformed");
        const problem = walker!.check(row, line.hash as string);
        if (problem) return bad(`row ${row.id}: ${problem}`);
        rows++;
        continue;
      }
      if (line.type === "checkpoint") {
        final = checkpointFromJson(line.checkpoint);
        if (!final || final.kind !== "archive") return bad("the final checkpoint is malformed");
        if (!checkpointValid(key, final))
          return bad(`${describeCheckpoint(final)}: its signature is not valid`);
        if (!walker!.last || final.rowId !== walker!.last.id || final.rowHash !== walker!.last.hash)
          return bad("the final checkpoint does not vouch for the last row");
        continue;
      }
      return bad(`unexpected line type ${String(line.type)}`);
    }
  } catch (err) {
    return bad(`cannot be read: ${(err as Error).message}`);
  } finally {
    rl.close();
    raw.destroy();
  }
  if (!header) return bad("empty file");
  if (!final) return bad("the final checkpoint is missing: the archive is incomplete or was cut");
  if (header.lastId !== final.rowId || header.rows !== rows)
    return bad("the header does not match the rows");
  return {
    ok: true,
    firstId: header.firstId as number,
    lastId: final.rowId,
    rows,
    checkpoint: final,
  };
}

function archivedRow(v: Record<string, unknown>): HashedFields | null {
  const str = (x: unknown) => typeof x === "string";
  const strOrNull = (x: unknown) => x === null || typeof x === "string";
  if (
    !Number.isSafeInteger(v.id) ||
    !Number.isFinite(v.at) ||
    !(v.actorId === null || Number.isSafeInteger(v.actorId)) ||
    !str(v.actorName) ||
    !strOrNull(v.actorRole) ||
    !str(v.action) ||
    !strOrNull(v.targetType) ||
    !strOrNull(v.targetId) ||
    !str(v.outcome) ||
    !strOrNull(v.ip) ||
    !strOrNull(v.userAgent) ||
    !strOrNull(v.requestId) ||
    !str(v.prevHash) ||
    !str(v.hash)
  )
    return null;
  return {
    id: v.id as number,
    at: new Date(v.at as number),
    actorId: v.actorId as number | null,
    actorName: v.actorName as string,
    actorRole: v.actorRole as string | null,
    action: v.action as string,
    targetType: v.targetType as string | null,
    targetId: v.targetId as string | null,
    outcome: v.outcome as string,
    ip: v.ip as string | null,
    userAgent: v.userAgent as string | null,
    requestId: v.requestId as string | null,
    details: v.details ?? null,
    prevHash: v.prevHash as string,
  };
}

/**
 * Deletes archived rows (up to the newest archive cut), a batch per transaction so
 * other writers wait at most one batch. The database refuses to delete any other row.
 */
export async function pruneArchived(
  db: Db,
  opts: { signal?: AbortSignal; onProgress?: (deleted: number) => void } = {},
): Promise<number> {
  const cut = archiveCut(db);
  if (!cut) return 0;
  const del = db.$client.prepare(
    "delete from audit_log where id in (select id from audit_log where id <= ? order by id limit 2000)",
  );
  let deleted = 0;
  for (;;) {
    if (opts.signal?.aborted) break;
    const n = del.run(cut.rowId).changes;
    if (n === 0) break;
    deleted += n;
    opts.onProgress?.(deleted);
    await new Promise((r) => setImmediate(r));
  }
  return deleted;
}
