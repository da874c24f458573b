// npm run bench:uptime:generate -- --dir <data dir> [--monitors 50] [--days 90] [--interval 30s] [--seed 1]
// Fills a fresh Opsdeck database with N monitors × D days of simulated checks ending
// now, as production would have left it after its retention job: raw checks for the
// last 7 days, minute rollups for 14, hour rollups for 400, day rollups for ever. Also
// writes <dir>/opsdeck.bench.yaml describing those monitors (all paused, so a server
// started on it does not probe while being measured). Prints figures; asserts nothing.
//
// Checks are simulated in memory and written with prepared multi-row INSERTs in large
// transactions (storeChecks per check would take hours for 13 M checks). Rows are
// written in time order across monitors, as the recorder would, so the physical layout
// of the tables resembles a real database's.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type Database from "better-sqlite3";
import { BUCKETS, bucketIndex } from "../lib/histogram";
import { parseDuration } from "../lib/duration";
import { mulberry32, normalDeviates } from "../lib/seeded-random";
import { openDatabase } from "../server/db";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Retention defaults (server/config/schema.ts, uptime.retention). */
export const RETENTION = { raw: 7 * DAY, minute: 14 * DAY, hour: 400 * DAY } as const;

/** Retries written into the bench config: one- and two-check blips never open an incident. */
const RETRIES = 2;

export type HistoryOptions = {
  dir: string;
  monitors: number;
  days: number;
  intervalMs: number;
  seed?: number;
  /** End of the history (epoch ms); Date.now() by default. */
  now?: number;
};

export type HistoryReport = {
  dir: string;
  configFile: string;
  monitors: number;
  days: number;
  intervalSeconds: number;
  seed: number;
  checksSimulated: number;
  failedChecks: number;
  failedPercent: number;
  rows: {
    check_results: number;
    monitor_rollups_minute: number;
    monitor_rollups_hour: number;
    monitor_rollups_day: number;
    monitor_state: number;
    incidents: number;
  };
  databaseMiB: number;
  seconds: number;
};

export const monitorId = (i: number, total: number) =>
  `m-${String(i).padStart(Math.max(3, String(total - 1).length), "0")}`;

/** An Opsdeck config with `count` http monitors in one environment, `perService` per service. */
export function benchConfigYaml(opts: {
  count: number;
  interval: string;
  perService: number;
  paused: boolean;
  retries: number;
  url: (i: number) => string;
  comment: string;
}): string {
  const services = Math.ceil(opts.count / opts.perService);
  const svc = (s: number) => `svc-${String(s).padStart(2, "0")}`;
  const lines = [
    ...opts.comment.split("\n").map((l) => `# ${l}`),
    "title: Opsdeck bench",
    "environments:",
    "  - id: production",
    "    name: Production",
    "services:",
  ];
  for (let s = 0; s < services; s++) {
    lines.push(
      `  - id: ${svc(s)}`,
      `    name: Service ${String(s).padStart(2, "0")}`,
      "    environments:",
      "      production:",
      "        url: http://127.0.0.1:9",
    );
  }
  lines.push("monitors:");
  for (let i = 0; i < opts.count; i++) {
    lines.push(
      `  - id: ${monitorId(i, opts.count)}`,
      `    service: ${svc(Math.floor(i / opts.perService))}`,
      "    environment: production",
      "    type: http",
      `    url: ${opts.url(i)}`,
      `    interval: ${opts.interval}`,
      `    retries: ${opts.retries}`,
      `    paused: ${opts.paused}`,
      "    expect: { status: 200, keyword: ok }",
    );
  }
  return lines.join("\n") + "\n";
}

/** Prepared multi-row INSERTs, committed every `commitEvery` rows. */
class BulkInserter {
  private readonly many: Database.Statement;
  private readonly one: Database.Statement;
  private buffer: unknown[] = [];
  count = 0;

  constructor(
    private readonly sqlite: Database.Database,
    table: string,
    private readonly columns: string[],
    private readonly rowsPerStatement: number,
    private readonly onRows: (n: number) => void,
  ) {
    const tuple = `(${columns.map(() => "?").join(",")})`;
    const head = `INSERT INTO ${table} (${columns.join(",")}) VALUES `;
    this.many = sqlite.prepare(head + Array(rowsPerStatement).fill(tuple).join(","));
    this.one = sqlite.prepare(head + tuple);
  }

  add(values: unknown[]): void {
    for (const v of values) this.buffer.push(v);
    if (this.buffer.length === this.columns.length * this.rowsPerStatement) {
      this.many.run(this.buffer);
      this.buffer = [];
      this.count += this.rowsPerStatement;
      this.onRows(this.rowsPerStatement);
    }
  }

  finish(): void {
    const width = this.columns.length;
    for (let i = 0; i < this.buffer.length; i += width) {
      this.one.run(this.buffer.slice(i, i + width));
      this.count++;
      this.onRows(1);
    }
    this.buffer = [];
  }
}

type Acc = {
  bucket: number;
  up: number;
  down: number;
  respCount: number;
  respSum: number;
  respMin: number;
  respMax: number;
  hist: number[];
};

const newAcc = (): Acc => ({
  bucket: -1,
  up: 0,
  down: 0,
  respCount: 0,
  respSum: 0,
  respMin: Infinity,
  respMax: -Infinity,
  hist: new Array<number>(BUCKETS).fill(0),
});

type Outage = {
  monitorId: string;
  openedAt: number;
  closedAt: number | null;
  cause: string;
  lastError: string;
  failed: number;
};

type MonitorSim = {
  id: string;
  offset: number;
  medianMs: number;
  sigma: number;
  failLeft: number;
  failError: string;
  consecutive: number;
  failingSince: number;
  firstError: string;
  outage: Outage | null;
  since: number;
  lastAt: number;
  lastMs: number;
  acc: Record<"minute" | "hour" | "day", Acc>;
};

const BLIP_ERRORS = ["connection reset by peer", "timed out after 10 s", "HTTP 502, expected 200"];
const OUTAGE_ERRORS = ["connection refused", "HTTP 503, expected 200", "timed out after 10 s"];

/**
 * Writes the history into a fresh database in `opts.dir` and the bench config next to
 * it. Synchronous: it is CPU and disk bound, and nothing else runs meanwhile.
 */
export function generateHistory(opts: HistoryOptions): HistoryReport {
  const started = performance.now();
  const seed = opts.seed ?? 1;
  const now = opts.now ?? Date.now();
  const { intervalMs } = opts;
  fs.mkdirSync(opts.dir, { recursive: true });
  const dbFile = path.join(opts.dir, "opsdeck.db");
  if (fs.existsSync(dbFile)) {
    throw new Error(`${dbFile} already exists: give an empty (or new) directory`);
  }

  const configFile = path.join(opts.dir, "opsdeck.bench.yaml");
  fs.writeFileSync(
    configFile,
    benchConfigYaml({
      count: opts.monitors,
      interval: `${intervalMs / 1000}s`,
      perService: 5,
      paused: true,
      retries: RETRIES,
      url: () => "http://127.0.0.1:9/health",
      comment: `Written by bench/generate-history.ts: ${opts.monitors} monitors, ${opts.days} days of history.\nAll paused, so a server started on this config does not probe while it is measured.`,
    }),
  );

  const db = openDatabase(opts.dir);
  const sqlite = db.$client;
  // A year at 1,000 monitors is ~15 M rows written in time order across monitors, i.e.
  // random inserts into the primary-key index: keep the whole database in the page cache
  // (4 GiB) and skip fsync (a generated database is thrown away if the run dies).
  sqlite.pragma("cache_size = -4194304");
  sqlite.pragma("synchronous = OFF");

  let sinceCommit = 0;
  sqlite.exec("BEGIN");
  const onRows = (n: number) => {
    sinceCommit += n;
    if (sinceCommit >= 250_000) {
      sqlite.exec("COMMIT");
      sqlite.exec("BEGIN");
      sinceCommit = 0;
    }
  };
  const raw = new BulkInserter(
    sqlite,
    "check_results",
    [
      "monitor_id",
      "at",
      "status",
      "response_ms",
      "status_code",
      "error",
      "tls_days_left",
      "maintenance",
      "retrying",
    ],
    100,
    onRows,
  );
  const histColumns = Array.from({ length: BUCKETS }, (_, i) => `h${i}`);
  const rollups = new BulkInserter(
    sqlite,
    "monitor_rollups",
    [
      "monitor_id",
      "resolution",
      "bucket",
      "up",
      "degraded",
      "down",
      "maintenance",
      "resp_count",
      "resp_sum",
      "resp_min",
      "resp_max",
      ...histColumns,
    ],
    50,
    onRows,
  );
  const rollupCounts = { minute: 0, hour: 0, day: 0 };
  const cutoff = {
    minute: now - RETENTION.minute,
    hour: now - RETENTION.hour,
    day: -Infinity,
  };
  const flush = (m: MonitorSim, resolution: "minute" | "hour" | "day") => {
    const a = m.acc[resolution];
    if (a.bucket < 0 || a.bucket < cutoff[resolution]) return;
    rollups.add([
      m.id,
      resolution,
      a.bucket,
      a.up,
      0,
      a.down,
      0,
      a.respCount,
      a.respSum,
      a.respCount ? a.respMin : null,
      a.respCount ? a.respMax : null,
      ...a.hist,
    ]);
    rollupCounts[resolution]++;
  };

  const random = mulberry32(seed);
  const gauss = normalDeviates(random);
  const sims: MonitorSim[] = Array.from({ length: opts.monitors }, (_, i) => ({
    id: monitorId(i, opts.monitors),
    offset: Math.floor(random() * intervalMs),
    medianMs: 80 + random() * 70,
    sigma: 0.18 + random() * 0.14,
    failLeft: 0,
    failError: "",
    consecutive: 0,
    failingSince: 0,
    firstError: "",
    outage: null,
    since: 0,
    lastAt: 0,
    lastMs: 0,
    acc: { minute: newAcc(), hour: newAcc(), day: newAcc() },
  }));

  // Failures: ~0.1 % of checks in blips of one or two checks (inside the retry budget),
  // plus about one outage per monitor per 30 days, 3 to 20 checks long (an incident).
  const blipStart = 0.001 / 1.5;
  const outageStart = intervalMs / (30 * DAY);
  const quietTail = now - 15 * MINUTE; // end healthy: every monitor is up now
  const start = now - opts.days * DAY;
  const steps = Math.ceil((opts.days * DAY) / intervalMs);
  const incidents: Outage[] = [];
  let checks = 0;
  let failed = 0;

  for (let k = 0; k < steps; k++) {
    for (const m of sims) {
      const scheduled = start + k * intervalMs + m.offset;
      if (scheduled > now) continue;

      if (m.failLeft === 0 && scheduled < quietTail) {
        const r = random();
        if (r < outageStart) {
          m.failLeft = 3 + Math.floor(random() * 18);
          m.failError = OUTAGE_ERRORS[Math.floor(random() * OUTAGE_ERRORS.length)]!;
        } else if (r < outageStart + blipStart) {
          m.failLeft = 1 + Math.floor(random() * 2);
          m.failError = BLIP_ERRORS[Math.floor(random() * BLIP_ERRORS.length)]!;
        }
      }

      let ms: number | null;
      let up: boolean;
      if (m.failLeft > 0) {
        m.failLeft--;
        up = false;
        ms = m.failError.startsWith("timed out")
          ? null
          : m.failError.startsWith("HTTP")
            ? Math.round(3 + random() * 20)
            : null;
      } else {
        up = true;
        // Log-normal around the monitor's median, a little slower in the (UTC) afternoon,
        // with an occasional slow spike.
        const hourOfDay = ((scheduled % DAY) / HOUR) | 0;
        const diurnal = 1 + 0.12 * Math.sin(((hourOfDay - 9) / 24) * 2 * Math.PI);
        let v = m.medianMs * diurnal * Math.exp(m.sigma * gauss());
        if (random() < 0.003) v *= 3 + random() * 15;
        ms = Math.max(1, Math.round(v));
      }
      const at = scheduled + (ms ?? 10);
      checks++;

      let retrying = false;
      if (up) {
        if (m.consecutive > 0) {
          if (m.outage) {
            m.outage.closedAt = at;
            incidents.push(m.outage);
            m.outage = null;
          }
          if (m.consecutive > RETRIES) m.since = at;
          m.consecutive = 0;
        }
      } else {
        failed++;
        m.consecutive++;
        if (m.consecutive === 1) {
          m.failingSince = at;
          m.firstError = m.failError;
        }
        retrying = m.consecutive <= RETRIES;
        if (m.consecutive === RETRIES + 1) {
          m.since = at;
          m.outage = {
            monitorId: m.id,
            openedAt: m.failingSince,
            closedAt: null,
            cause: m.firstError,
            lastError: m.failError,
            failed: m.consecutive,
          };
        } else if (m.outage) {
          m.outage.lastError = m.failError;
          m.outage.failed++;
        }
      }
      if (m.since === 0) m.since = at;
      m.lastAt = at;
      if (ms !== null && up) m.lastMs = ms;

      for (const resolution of ["minute", "hour", "day"] as const) {
        const size = resolution === "minute" ? MINUTE : resolution === "hour" ? HOUR : DAY;
        const bucket = at - (at % size);
        const a = m.acc[resolution];
        if (bucket !== a.bucket) {
          flush(m, resolution);
          m.acc[resolution] = newAcc();
          m.acc[resolution].bucket = bucket;
        }
        const b = m.acc[resolution];
        if (up) {
          b.up++;
          const v = ms!;
          b.respCount++;
          b.respSum += v;
          if (v < b.respMin) b.respMin = v;
          if (v > b.respMax) b.respMax = v;
          b.hist[bucketIndex(v)]!++;
        } else {
          b.down++;
        }
      }

      if (at >= now - RETENTION.raw) {
        raw.add([
          m.id,
          at,
          up ? "up" : "down",
          ms,
          up ? 200 : m.failError.startsWith("HTTP") ? Number(m.failError.slice(5, 8)) : null,
          up ? null : m.failError,
          null,
          0,
          retrying ? 1 : 0,
        ]);
      }
    }
  }
  for (const m of sims) for (const r of ["minute", "hour", "day"] as const) flush(m, r);
  raw.finish();
  rollups.finish();

  const insertIncident = sqlite.prepare(
    "INSERT INTO incidents (monitor_id, opened_at, closed_at, cause, last_error, failed_checks) VALUES (?, ?, ?, ?, ?, ?)",
  );
  for (const o of incidents) {
    insertIncident.run(o.monitorId, o.openedAt, o.closedAt, o.cause, o.lastError, o.failed);
  }
  const insertState = sqlite.prepare(
    "INSERT INTO monitor_state (monitor_id, status, since, last_check_at, last_response_ms, last_status_code, consecutive_failures, first_check_at) VALUES (?, 'up', ?, ?, ?, 200, 0, ?)",
  );
  for (const m of sims) insertState.run(m.id, m.since, m.lastAt, m.lastMs, start + m.offset);
  // The recorder keeps the last 25 hour rows of each monitor in monitor_recent_hours too.
  const h = histColumns.join(", ");
  sqlite
    .prepare(
      `INSERT INTO monitor_recent_hours (monitor_id, bucket, resp_min, resp_max, ${h})
       SELECT monitor_id, bucket, resp_min, resp_max, ${h} FROM monitor_rollups
       WHERE resolution = 'hour' AND bucket >= ?`,
    )
    .run(Math.floor(now / HOUR) * HOUR - 24 * HOUR);
  sqlite.exec("COMMIT");

  // What the nightly housekeeping job does (server/jobs/kinds/maintenance.ts).
  sqlite.pragma("optimize");
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  db.$client.close();

  const size = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
  const bytes = size(dbFile) + size(`${dbFile}-wal`) + size(`${dbFile}-shm`);
  return {
    dir: path.resolve(opts.dir),
    configFile,
    monitors: opts.monitors,
    days: opts.days,
    intervalSeconds: intervalMs / 1000,
    seed,
    checksSimulated: checks,
    failedChecks: failed,
    failedPercent: +((100 * failed) / Math.max(1, checks)).toFixed(3),
    rows: {
      check_results: raw.count,
      monitor_rollups_minute: rollupCounts.minute,
      monitor_rollups_hour: rollupCounts.hour,
      monitor_rollups_day: rollupCounts.day,
      monitor_state: sims.length,
      incidents: incidents.length,
    },
    databaseMiB: +(bytes / 1048576).toFixed(1),
    seconds: +((performance.now() - started) / 1000).toFixed(1),
  };
}

/**
 * The history of `days` days under `root`/<days>d: reused when `keep` and a database
 * and its config are there (the generator writes the config first, the database last),
 * else generated.
 */
export function historyIn(
  root: string,
  days: number,
  opts: { keep: boolean; monitors: number; intervalMs: number; seed: number },
): HistoryReport | { dir: string; configFile: string } {
  const { keep, ...generate } = opts;
  const dir = path.join(root, `${days}d`);
  const configFile = path.join(dir, "opsdeck.bench.yaml");
  if (keep && fs.existsSync(path.join(dir, "opsdeck.db")) && fs.existsSync(configFile)) {
    console.error(`reusing ${dir}`);
    return { dir, configFile };
  }
  console.error(`generating ${opts.monitors} monitors × ${days} day(s) of history…`);
  return generateHistory({ dir, days, ...generate });
}

/** `--name value` pairs from argv. */
export function parseFlags(argv: string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) continue;
    const [name, inline] = a.slice(2).split("=", 2) as [string, string | undefined];
    if (inline !== undefined) flags[name] = inline;
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("--")) flags[name] = argv[++i]!;
    else flags[name] = "true";
  }
  return flags;
}

function main() {
  const flags = parseFlags(process.argv.slice(2));
  if (!flags.dir) {
    console.error(
      "usage: npm run bench:uptime:generate -- --dir <data dir> [--monitors 50] [--days 90] [--interval 30s] [--seed 1]",
    );
    process.exit(2);
  }
  const intervalMs = parseDuration(flags.interval ?? "30s");
  if (intervalMs === undefined || intervalMs < 10_000) {
    console.error(`--interval: expected a duration of at least 10s, got ${flags.interval}`);
    process.exit(2);
  }
  const report = generateHistory({
    dir: flags.dir,
    monitors: Number(flags.monitors ?? 50),
    days: Number(flags.days ?? 90),
    intervalMs,
    seed: Number(flags.seed ?? 1),
  });
  const r = report.rows;
  console.log(
    [
      `${report.monitors} monitors × ${report.days} days every ${report.intervalSeconds} s: ` +
        `${report.checksSimulated.toLocaleString("en")} checks simulated, ` +
        `${report.failedChecks.toLocaleString("en")} failed (${report.failedPercent} %)`,
      `  check_results          ${r.check_results.toLocaleString("en")} rows (last 7 days)`,
      `  monitor_rollups minute ${r.monitor_rollups_minute.toLocaleString("en")} rows (last 14 days)`,
      `  monitor_rollups hour   ${r.monitor_rollups_hour.toLocaleString("en")} rows`,
      `  monitor_rollups day    ${r.monitor_rollups_day.toLocaleString("en")} rows`,
      `  monitor_state          ${r.monitor_state} rows`,
      `  incidents              ${r.incidents} rows`,
      `  database ${report.databaseMiB} MiB, ${report.seconds} s`,
      `  config   ${report.configFile}`,
    ].join("\n"),
  );
  console.log(JSON.stringify(report, null, 2));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main();
