import "server-only";
import { createHash } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { Transform, Writable, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";

export type Compressed = { rawBytes: number; sizeBytes: number; sha256: string };

/** A pass-through that feeds every chunk to `see` (hashing, counting, teeing). */
function tap(see: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      see(chunk);
      done(null, chunk);
    },
  });
}

/**
 * Streams `input` through gzip into the new file `target` (never overwriting), fsyncs
 * it, and proves the written stream decompresses to exactly the input: the compressed
 * bytes are fed to a gunzip as they are written, and its SHA-256 must equal the input's.
 * Returns sizes and the SHA-256 of the compressed file.
 */
export async function compressVerified(
  input: Readable,
  target: string,
  onRawBytes?: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<Compressed> {
  const rawHash = createHash("sha256");
  const gzHash = createHash("sha256");
  const roundTrip = createHash("sha256");
  let rawBytes = 0;
  let sizeBytes = 0;
  const check = zlib.createGunzip();
  check.on("data", (c: Buffer) => roundTrip.update(c));
  const checked = new Promise<void>((resolve, reject) => {
    check.on("end", resolve);
    check.on("error", reject);
  });

  const handle = await fsp.open(target, "wx", 0o600);
  try {
    const out = new Writable({
      write(chunk: Buffer, _enc, done) {
        handle.write(chunk).then(() => done(), done);
      },
    });
    await pipeline(
      input,
      tap((c) => {
        rawHash.update(c);
        rawBytes += c.length;
        onRawBytes?.(rawBytes);
      }),
      zlib.createGzip({ level: 6 }),
      tap((c) => {
        gzHash.update(c);
        sizeBytes += c.length;
        check.write(c);
      }),
      out,
      { signal },
    );
    check.end();
    await checked;
    if (roundTrip.digest("hex") !== rawHash.digest("hex")) {
      throw new Error("the compressed file does not decompress to the data that was written");
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { rawBytes, sizeBytes, sha256: gzHash.digest("hex") };
}

/**
 * Decompresses `source` into the new file `target`, checking on the way that the
 * compressed bytes still have the SHA-256 recorded when the backup was verified.
 */
export async function decompressChecked(
  source: string,
  target: string,
  expectedSha256: string | null,
  signal?: AbortSignal,
): Promise<number> {
  const hash = createHash("sha256");
  let bytes = 0;
  try {
    await pipeline(
      fs.createReadStream(source),
      tap((c) => hash.update(c)),
      zlib.createGunzip(),
      tap((c) => (bytes += c.length)),
      fs.createWriteStream(target, { flags: "wx", mode: 0o600 }),
      { signal },
    );
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (
      code === "Z_BUF_ERROR" ||
      code === "Z_DATA_ERROR" ||
      /unexpected end of file|incorrect header/i.test((err as Error).message)
    ) {
      throw new Error(`the backup file is damaged (${(err as Error).message})`);
    }
    throw err;
  }
  if (expectedSha256 && hash.digest("hex") !== expectedSha256) {
    throw new Error(
      "the backup file's checksum no longer matches the one recorded when it was verified",
    );
  }
  return bytes;
}

/** Makes a rename durable: fsync the directory that holds the entry. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Moves a file into place atomically (same filesystem) and makes the move durable.
 * Never replaces a file already there: a hard link fails on an existing name, where a
 * rename would silently swap another backup's content under its record.
 */
export async function publish(from: string, to: string): Promise<void> {
  try {
    await fsp.link(from, to);
    await fsp.unlink(from);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new Error(`${to} already exists; nothing was replaced`);
    // Filesystems without hard links: check, then rename (the name is unique anyway).
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP") throw err;
    if (fs.existsSync(to)) throw new Error(`${to} already exists; nothing was replaced`);
    await fsp.rename(from, to);
  }
  await fsyncDir(path.dirname(to));
}

/** Removes files that may or may not exist, with a database's -wal, -shm and -journal companions. */
export async function removeQuietly(...files: string[]): Promise<void> {
  const all = files.filter(Boolean).flatMap((f) => [f, `${f}-wal`, `${f}-shm`, `${f}-journal`]);
  await Promise.all(all.map((f) => fsp.rm(f, { force: true })));
}

/**
 * `{job}_{UTC timestamp}-{record id}{ext}.gz`: sortable by time, and unique even for two
 * backups of one job in the same second (the record id is the database's).
 */
export function backupFileName(
  jobId: string,
  at: Date,
  recordId: number,
  extension: string,
  safety = false,
): string {
  return `${jobId}_${safety ? "pre-restore_" : ""}${utcStamp(at)}-${recordId}${extension}.gz`;
}

/** 2026-11-27T02:00:00.000Z → 20261127T020000Z: sortable and safe in file names. */
export function utcStamp(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
}
