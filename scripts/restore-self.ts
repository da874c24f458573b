// npm run restore-self -- <backup file> [--yes] [--force]
// Restores Opsdeck's own database ($OPSDECK_DATA_DIR/opsdeck.db) from one of its backups
// (the built-in "opsdeck" backup job's .db.gz files). Opsdeck must be stopped: this
// refuses while a process holds the scheduler lease or runs jobs on the database. The
// steps are in docs/runbooks/opsdeck-itself.md.
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import readline from "node:readline/promises";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { env } from "../env";
import { CHECKPOINT_FILE } from "../server/audit/checkpoint";
import { writeAudit } from "../server/audit/write";
import {
  compressVerified,
  decompressChecked,
  fsyncDir,
  publish,
  utcStamp,
} from "../server/backups/files";
import { sqliteBackup, sqliteCheck } from "../server/backups/sqlite-worker";
import { defaultSelfBackupDir } from "../server/config/self-backup";
import { openDatabase } from "../server/db";
import { pidAlive } from "../server/jobs/runner";

/** Tables every Opsdeck database has: a file without them is some other database. */
const OPSDECK_TABLES = ["users", "audit_log", "jobs", "leases", "backups"];

/** A refusal or failure to report: thrown, so clean-up in `finally` still runs. */
class Stop extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

function fail(message: string, code = 1): never {
  throw new Stop(message, code);
}

type Current = { running: string | null; sha256: string | null; unreadable: string | null };

/** What the database now in place says: who is running on it, and the backup's recorded checksum. */
function inspect(live: string, file: string): Current {
  if (!fs.existsSync(live)) return { running: null, sha256: null, unreadable: null };
  let db: Database.Database | undefined;
  try {
    db = new Database(live, { fileMustExist: true });
    db.pragma("busy_timeout = 2000");
    const has = (t: string) =>
      !!db!.prepare("select 1 from sqlite_schema where type = 'table' and name = ?").get(t);
    let running: string | null = null;
    if (has("leases")) {
      const lease = db
        .prepare(
          "select holder, expires_at as until from leases where name = 'scheduler' and expires_at > ?",
        )
        .get(Date.now()) as { holder: string; until: number } | undefined;
      if (lease)
        running = `${lease.holder} holds the scheduler lease until ${new Date(lease.until).toISOString()}`;
    }
    if (!running && has("jobs")) {
      // A standby process holds no lease but still runs jobs.
      const runners = db
        .prepare("select distinct runner from jobs where status = 'running' and runner is not null")
        .all() as { runner: string }[];
      for (const { runner } of runners) {
        const [host, pid] = runner.split(":");
        if (host === os.hostname() && pidAlive(Number(pid)))
          running = `process ${pid} on this host is running jobs on this database`;
      }
    }
    let sha256: string | null = null;
    if (has("backups")) {
      const row = (db
        .prepare("select sha256 from backups where file = ? and sha256 is not null")
        .get(file) ??
        db
          .prepare("select sha256 from backups where file like ? and sha256 is not null")
          .get(`%${path.sep}${path.basename(file)}`)) as { sha256: string } | undefined;
      sha256 = row?.sha256 ?? null;
    }
    return { running, sha256, unreadable: null };
  } catch (err) {
    return { running: null, sha256: null, unreadable: (err as Error).message };
  } finally {
    db?.close();
  }
}

async function confirm(plan: string[]): Promise<void> {
  console.log(plan.map((l) => `  - ${l}`).join("\n"));
  if (!process.stdin.isTTY) fail("Not a terminal: pass --yes to go on without the question.");
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question('\nType "restore" to go on: ');
  rl.close();
  if (answer.trim() !== "restore") fail("Nothing was changed.");
}

async function main() {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      yes: { type: "boolean", default: false },
      force: { type: "boolean", default: false },
    },
  });
  const [given] = positionals;
  if (!given || positionals.length > 1)
    fail("Usage: npm run restore-self -- <backup file (.db.gz)> [--yes] [--force]");
  const file = path.resolve(given);
  if (!fs.existsSync(file)) fail(`No file ${file}.`);
  const dataDir = path.resolve(env.OPSDECK_DATA_DIR);
  const live = path.join(dataDir, "opsdeck.db");
  console.log(`Restoring ${live}\n     from ${file}`);

  const current = inspect(live, file);
  if (current.running)
    fail(
      `Opsdeck is running on this database (${current.running}).\nStop it first (and every other Opsdeck process on ${dataDir}), then run this again. After a crash the lease runs out within 30 s.`,
    );
  if (current.unreadable && !values.force)
    fail(
      `The database in place cannot be read (${current.unreadable}), so whether Opsdeck runs on it cannot be checked.\nMake sure Opsdeck is stopped, then run this again with --force.`,
    );

  const stamp = utcStamp(new Date());
  const incoming = path.join(dataDir, `.restore-self-${stamp}.db`);
  const safetyDir = path.join(defaultSelfBackupDir(), "safety");
  let safety: string | null = null;
  try {
    console.log(
      current.sha256
        ? "1. Checking the backup against the checksum recorded when it was made…"
        : "1. Checking the backup (no recorded checksum found: gzip's own check and SQLite's integrity check)…",
    );
    await decompressChecked(file, incoming, current.sha256);
    const check = await sqliteCheck(incoming);
    if (!check.ok)
      fail(
        `The backup fails its integrity check: ${check.problems.join("; ")}. Nothing was changed.`,
      );
    const missing = OPSDECK_TABLES.filter((t) => !(t in check.tables));
    if (missing.length > 0)
      fail(
        `${file} is not an Opsdeck database (it has no ${missing.join(", ")} table). Nothing was changed.`,
      );
    console.log(
      `   sound: ${Object.keys(check.tables).length} tables, ${check.tables.users} users, ${check.tables.audit_log} audit rows.`,
    );

    if (!values.yes)
      await confirm([
        fs.existsSync(live)
          ? `take a safety copy of the current database into ${safetyDir}`
          : "(no current database)",
        `replace ${live} with the backup`,
        "record the restore in the restored audit log",
      ]);

    await fsp.mkdir(safetyDir, { recursive: true, mode: 0o700 });
    if (fs.existsSync(live)) {
      console.log("2. Safety copy of the current database…");
      const raw = path.join(dataDir, `.restore-self-${stamp}.previous.db`);
      try {
        await sqliteBackup(live, raw);
        const target = path.join(safetyDir, `opsdeck_pre-restore-self_${stamp}.db.gz`);
        await compressVerified(fs.createReadStream(raw), `${target}.part`);
        await publish(`${target}.part`, target);
        safety = target;
      } catch (err) {
        // A damaged database may not copy: keep its files exactly as they are instead.
        const aside = path.join(safetyDir, `opsdeck_replaced_${stamp}`);
        await fsp.mkdir(aside, { recursive: true, mode: 0o700 });
        for (const suffix of ["", "-wal", "-shm"])
          if (fs.existsSync(live + suffix))
            await fsp.copyFile(live + suffix, path.join(aside, `opsdeck.db${suffix}`));
        safety = aside;
        console.log(
          `   the online copy failed (${(err as Error).message}); kept the files as they were.`,
        );
      } finally {
        await fsp.rm(raw, { force: true });
      }
      console.log(`   ${safety}`);
    }

    console.log("3. Putting the backup in place…");
    // The old -wal belongs to the old file: applied to the new one it would corrupt it.
    for (const suffix of ["-wal", "-shm", "-journal"]) await fsp.rm(live + suffix, { force: true });
    await fsp.rename(incoming, live);
    await fsp.chmod(live, 0o600);
    // The checkpoint file vouches for the replaced log, which went further than the
    // restored one: kept beside the safety copy, it would make every start refuse.
    const checkpoints = path.join(dataDir, CHECKPOINT_FILE);
    if (fs.existsSync(checkpoints)) {
      const kept = path.join(safetyDir, `audit-checkpoint_pre-restore-self_${stamp}.json`);
      await fsp.rename(checkpoints, kept);
      console.log(`   moved ${CHECKPOINT_FILE} aside: ${kept}`);
    }
    await fsyncDir(dataDir);
  } finally {
    await fsp.rm(incoming, { force: true });
  }

  console.log(
    "4. Opening it (migrating it if the backup is from an older version) and recording the restore…",
  );
  try {
    const db = openDatabase(dataDir);
    writeAudit(
      db,
      { id: null, name: "cli", role: null },
      { ip: null, userAgent: null, requestId: null },
      {
        action: "backups.restore_self",
        targetType: "backup_file",
        targetId: path.basename(file),
        details: { file, sha256: current.sha256, safety },
      },
    );
    db.$client.close();
  } catch (err) {
    fail(
      `The restored database could not be opened: ${(err as Error).message}\nThe previous one is kept in ${safety ?? "(there was none)"}; restore that (this same command) or another backup.`,
      2,
    );
  }
  console.log(
    `\nRestored. Start Opsdeck. What happened after the backup was taken (audit rows, backups, jobs) is not in this database; ${safety ? `the previous one is in ${safety}.` : ""}`,
  );
}

main().catch((err: unknown) => {
  console.error(
    err instanceof Stop
      ? `\n${err.message}`
      : `\nRestore failed: ${(err as Error).stack ?? String(err)}`,
  );
  process.exit(err instanceof Stop ? err.code : 2);
});
