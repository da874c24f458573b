import "server-only";
import type { Statement } from "better-sqlite3";
import {
  carryAfter,
  decodeRollup,
  decodeRollupField,
  newCarry,
  RollupAppender,
  rollupPoints,
  rollupSamples,
  ROLLUP_FIELDS,
  type DecodedRollup,
  type RollupCarry,
  type RollupPoint,
} from "@/lib/metrics/rollup-chunk";
import type { MetricsDb } from "./db";
import { asBytes, RawReader } from "./raw-read";

export const FIVE_MINUTES = 300_000;
export const HOUR = 3_600_000;
/** A stored row holds at most this many points … */
export const ROLLUP_ROW_POINTS = 120;
/** … spanning less than this many steps, so a reader knows how far back a row can start. */
export const rollupRowSpan = (step: number): number => ROLLUP_ROW_POINTS * step;
/**
 * A bucket is rolled up this long after it ends: a sample stamped inside it may still be
 * on its way (a slow scrape is stamped when it starts; a push can come late). A sample
 * committed later than that stays in the raw data only.
 */
export const ROLLUP_GRACE_MS = 120_000;

export type RollupLevel = "5m" | "1h";

type Level = {
  key: RollupLevel;
  step: number;
  /** One pass rolls up at most this much, so catching up after a long stop is many small passes. */
  passSpan: number;
};

const LEVELS: readonly Level[] = [
  { key: "5m", step: FIVE_MINUTES, passSpan: 6 * HOUR },
  { key: "1h", step: HOUR, passSpan: 7 * 24 * HOUR },
];

/**
 * metrics.db's `meta` keys. `rollup.<level>.done`: every series' buckets ending at or
 * before it are rolled up (queries read that level up to there and finer data after);
 * `.target` and `.after`: the pass under way rolls up to `target` and has done every
 * series up to id `after`; `retention.<resolution>.from`: data older than it may have
 * been deleted.
 */
export const META = {
  done: (l: RollupLevel) => `rollup.${l}.done`,
  target: (l: RollupLevel) => `rollup.${l}.target`,
  after: (l: RollupLevel) => `rollup.${l}.after`,
  /** The first 5-minute bucket ever rolled up, where the hourly rollup starts. */
  first: "rollup.5m.first",
  from: (r: "raw" | RollupLevel) => `retention.${r}.from`,
} as const;

/** Reads and writes metrics.db's `meta` rows. */
export class Meta {
  private readonly stmt: {
    get: Statement<[string], { value: number }>;
    set: Statement<[string, number]>;
  };

  constructor(db: MetricsDb) {
    this.stmt = {
      get: db.prepare("SELECT value FROM meta WHERE key = ?"),
      set: db.prepare(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      ),
    };
  }

  get(key: string): number | undefined {
    return this.stmt.get.get(key)?.value;
  }

  set(key: string, value: number): void {
    this.stmt.set.run(key, value);
  }
}

export type RollupReport = {
  /** Transactions run. */
  batches: number;
  points: Record<RollupLevel, number>;
  /** Where each level stands now (undefined: nothing rolled up yet). */
  done: Record<RollupLevel, number | undefined>;
};

type Row = { first_t: number; last_t: number; count: number; data: Buffer };

/**
 * Rolls raw samples up into 5-minute points and those into hourly ones, for every series,
 * a batch of series per transaction (at most `batchSeries`, and no longer than about
 * `budgetMs`: the metrics thread's writer waits while a batch runs). Progress is stored
 * with each batch, so a run that stops (or crashes) between batches goes on where it
 * was, and a series is never rolled up twice: its newest point says where it stands.
 */
export class Rollup {
  private readonly raw: RawReader;
  private readonly meta: Meta;
  private readonly batchSeries: number;
  private readonly budgetMs: number;
  private readonly stmt: {
    ids: Statement<[number, number], { id: number }>;
    newest: Statement<[number, number], Row>;
    before: Statement<[number, number, number], Row>;
    rows: Statement<[number, number, number, number, number], Buffer>;
    upsert: Statement<[number, number, number, number, number, Uint8Array]>;
    firstRaw: Statement<[], { t: number | null }>;
  };
  private readonly written: Record<RollupLevel, number> = { "5m": 0, "1h": 0 };

  constructor(
    private readonly db: MetricsDb,
    opts: { batchSeries?: number; budgetMs?: number } = {},
  ) {
    this.raw = new RawReader(db);
    this.meta = new Meta(db);
    this.batchSeries = opts.batchSeries ?? 500;
    this.budgetMs = opts.budgetMs ?? 3;
    this.stmt = {
      ids: db.prepare("SELECT id FROM series WHERE id > ? ORDER BY id LIMIT ?"),
      newest: db.prepare(
        `SELECT first_t, last_t, count, data FROM rollups WHERE series_id = ? AND step = ?
           ORDER BY first_t DESC LIMIT 1`,
      ),
      before: db.prepare(
        `SELECT first_t, last_t, count, data FROM rollups WHERE series_id = ? AND step = ?
           AND first_t < ? ORDER BY first_t DESC LIMIT 1`,
      ),
      rows: prepareRollupRows(db),
      upsert: db.prepare(
        `INSERT INTO rollups (series_id, step, first_t, last_t, count, data) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (series_id, step, first_t) DO UPDATE SET last_t = excluded.last_t,
           count = excluded.count, data = excluded.data`,
      ),
      // Per series through the primary key: a scan of every chunk would take seconds.
      // Compacted blocks are keyed by time: the oldest one's rows.
      firstRaw: db.prepare(
        `SELECT min(t) AS t FROM (
           SELECT (SELECT first_t FROM chunks c WHERE c.series_id = s.id ORDER BY first_t LIMIT 1) AS t
             FROM series s
           UNION ALL SELECT min(first_t) FROM head
           UNION ALL SELECT min(first_t) FROM blocks WHERE block = (SELECT min(block) FROM blocks))`,
      ),
    };
  }

  /** Runs batches until every complete bucket before `now` is rolled up, yielding between them. */
  async run(now: number, stop: () => boolean = () => false): Promise<RollupReport> {
    let batches = 0;
    while (!stop() && this.step(now)) {
      batches++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return this.report(batches);
  }

  /** The same without yielding (a benchmark's or an import's catch-up). */
  runNow(now: number): RollupReport {
    let batches = 0;
    while (this.step(now)) batches++;
    return this.report(batches);
  }

  /** One transaction of work; false when there is none left before `now`. */
  step(now: number): boolean {
    return this.db
      .transaction(() => {
        for (const level of LEVELS) {
          const pass = this.pass(level, now);
          if (!pass) continue;
          this.batch(level, pass);
          return true;
        }
        return false;
      })
      .immediate();
  }

  private report(batches: number): RollupReport {
    return {
      batches,
      points: { ...this.written },
      done: { "5m": this.meta.get(META.done("5m")), "1h": this.meta.get(META.done("1h")) },
    };
  }

  /** The pass under way at this level, or a new one if a bucket has completed since. */
  private pass(level: Level, now: number): { done: number; target: number; after: number } | null {
    const { key, step } = level;
    const done = this.meta.get(META.done(key)) ?? this.start(level);
    if (done === undefined) return null;
    const target = this.meta.get(META.target(key));
    if (target !== undefined && target > done)
      return { done, target, after: this.meta.get(META.after(key)) ?? 0 };
    const complete =
      key === "5m"
        ? Math.floor((now - ROLLUP_GRACE_MS) / step) * step
        : Math.floor((this.meta.get(META.done("5m")) ?? -Infinity) / step) * step;
    const next = Math.min(complete, done + level.passSpan);
    if (!(next > done)) return null;
    this.meta.set(META.target(key), next);
    this.meta.set(META.after(key), 0);
    return { done, target: next, after: 0 };
  }

  /** Where a level starts the first time: the bucket of the oldest sample. */
  private start(level: Level): number | undefined {
    let from: number | undefined;
    if (level.key === "5m") {
      const t = this.stmt.firstRaw.get()?.t;
      if (t === null || t === undefined) return undefined;
      from = Math.floor(t / level.step) * level.step;
      this.meta.set(META.first, from);
    } else {
      const first = this.meta.get(META.first);
      if (first === undefined) return undefined;
      from = Math.floor(first / level.step) * level.step;
    }
    this.meta.set(META.done(level.key), from);
    return from;
  }

  private batch(level: Level, pass: { done: number; target: number; after: number }): void {
    const ids = this.stmt.ids.all(pass.after, this.batchSeries);
    if (ids.length === 0) {
      this.meta.set(META.done(level.key), pass.target);
      this.meta.set(META.after(level.key), 0);
      return;
    }
    const started = performance.now();
    let after = pass.after;
    for (const { id } of ids) {
      this.rollSeries(level, id, pass.done, pass.target);
      after = id;
      if (performance.now() - started > this.budgetMs) break;
    }
    this.meta.set(META.after(level.key), after);
  }

  /** The buckets of one series in [done, target) that its newest point is not already past. */
  private rollSeries(level: Level, id: number, done: number, target: number): void {
    const { step } = level;
    const newest = this.stmt.newest.get(id, step);
    let from = done;
    if (newest) from = Math.max(from, (Math.floor(newest.last_t / step) + 1) * step);
    if (from >= target) return;
    const app = newest ? new RollupAppender(asBytes(newest.data)) : undefined;
    const carry = !newest ? newCarry() : (app!.carry() ?? this.resume(id, step, newest));
    let points: RollupPoint[];
    if (level.key === "5m") {
      const { t, v } = this.raw.read(id, from, target - 1);
      points = rollupSamples(t, v, step, carry);
    } else {
      points = rollupPoints(this.readPoints(id, FIVE_MINUTES, from, target - 1), step, carry);
    }
    if (points.length > 0) this.append(id, step, app, points);
    this.written[level.key] += points.length;
  }

  /** The carry after a newest point that is a staleness point: the live one before it, a row back at most. */
  private resume(id: number, step: number, newest: Row): RollupCarry {
    const last = (r: Row) => decodeRollupField(asBytes(r.data), "last").v;
    const counter = (r: Row) => decodeRollupField(asBytes(r.data), "counter").v;
    const carry = carryAfter(last(newest), counter(newest));
    if (carry.last !== undefined) return carry;
    const before = this.stmt.before.get(id, step, newest.first_t);
    if (!before) return carry;
    return { ...carryAfter(last(before), counter(before)), ended: carry.ended };
  }

  /** One series' points at `step` with start <= t <= end. */
  private readPoints(id: number, step: number, start: number, end: number): DecodedRollup {
    const rows = this.stmt.rows.all(id, step, start - rollupRowSpan(step), end, start);
    return concatRollups(rows.map((r) => decodeRollup(asBytes(r), start, end)));
  }

  private append(
    id: number,
    step: number,
    newest: RollupAppender | undefined,
    points: RollupPoint[],
  ): void {
    let app = newest ?? new RollupAppender();
    let dirty = false;
    const write = () => {
      if (dirty) this.stmt.upsert.run(id, step, app.firstT!, app.lastT!, app.count, app.bytes());
    };
    for (const p of points) {
      if (
        app.count >= ROLLUP_ROW_POINTS ||
        (app.count > 0 && p.t - app.firstT! >= rollupRowSpan(step))
      ) {
        write();
        app = new RollupAppender();
      }
      app.append(p);
      dirty = true;
    }
    write();
  }
}

/**
 * The blobs of one series and step that hold points in [start, end], in time order; bind
 * (id, step, start - rollupRowSpan(step), end, start).
 */
export function prepareRollupRows(
  db: MetricsDb,
): Statement<[number, number, number, number, number], Buffer> {
  return db
    .prepare<[number, number, number, number, number], Buffer>(
      `SELECT data FROM rollups WHERE series_id = ? AND step = ? AND first_t >= ?
         AND first_t <= ? AND last_t >= ? ORDER BY first_t`,
    )
    .pluck();
}

/** Consecutive rows' points as one run (rows of one series and step never overlap). */
export function concatRollups(parts: DecodedRollup[]): DecodedRollup {
  if (parts.length === 1) return parts[0]!;
  const n = parts.reduce((sum, p) => sum + p.t.length, 0);
  const out = { t: new Float64Array(n) } as DecodedRollup;
  for (const f of ROLLUP_FIELDS) out[f] = new Float64Array(n);
  let at = 0;
  for (const p of parts) {
    out.t.set(p.t, at);
    for (const f of ROLLUP_FIELDS) out[f].set(p[f], at);
    at += p.t.length;
  }
  return out;
}
