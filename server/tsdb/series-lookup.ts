import "server-only";
import type { Statement } from "better-sqlite3";
import { BLOCK_SPAN_MS, blockStart } from "./blocks";
import type { MetricsDb } from "./db";
import { FIVE_MINUTES, HOUR, Meta, META, rollupRowSpan } from "./rollup";
import { CHUNK_SPAN_MS } from "./writer";

/** A closed time range in ms; ±Infinity where a request leaves it open. */
export type TimeRange = { start: number; end: number };

export const ALL_TIME: TimeRange = { start: -Infinity, end: Infinity };

/**
 * Whether series `S` holds data in [@start, @end]: its open chunk or a closed one whose
 * time span overlaps the range (as Prometheus's TSDB tests its chunks), or, before
 * retention deleted the raw samples (@rawGone: until where, -Infinity for nowhere), a
 * 5-minute rollup row that does, and before the 5-minute rows went too, an hourly one.
 * Chunks and rollup rows are found by (series, first timestamp) bounded by how long a
 * row can span; compacted block rows by (block, series), one seek a block of the range
 * that the table holds. Nothing is decoded.
 */
const HAS_DATA = (s: string) => `(
  EXISTS (SELECT 1 FROM head WHERE series_id = ${s} AND first_t <= @end AND last_t >= @start)
  OR EXISTS (SELECT 1 FROM chunks WHERE series_id = ${s}
    AND first_t >= @start - ${CHUNK_SPAN_MS} AND first_t <= @end AND last_t >= @start)
  OR EXISTS (WITH RECURSIVE b(block) AS (
      SELECT max(@blockFrom, (SELECT min(block) FROM blocks))
      UNION ALL SELECT block + ${BLOCK_SPAN_MS} FROM b
        WHERE block + ${BLOCK_SPAN_MS} <= min(@blockTo, (SELECT max(block) FROM blocks))
    )
    SELECT 1 FROM b CROSS JOIN blocks x ON x.block = b.block AND x.series_id = ${s}
      AND x.first_t <= @end AND x.last_t >= @start)
  OR (@start < @rawGone AND EXISTS (SELECT 1 FROM rollups WHERE series_id = ${s}
    AND step = ${FIVE_MINUTES} AND first_t >= @start - ${rollupRowSpan(FIVE_MINUTES)}
    AND first_t <= min(@end, @rawGone - 1) AND last_t >= @start))
  OR (@start < @fiveGone AND EXISTS (SELECT 1 FROM rollups WHERE series_id = ${s}
    AND step = ${HOUR} AND first_t >= @start - ${rollupRowSpan(HOUR)}
    AND first_t <= min(@end, @fiveGone - 1) AND last_t >= @start))
)`;

type Bounds = {
  start: number;
  end: number;
  blockFrom: number;
  blockTo: number;
  rawGone: number;
  fiveGone: number;
};

/** SQLite compares integers; an open end is the furthest one JS holds exactly. */
const clamp = (t: number) =>
  Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, t));

/**
 * The series, label names and label values of metrics.db that hold data in a time range,
 * for /api/v1/series, /labels and /label/<name>/values. Lists come sorted by byte order
 * (SQLite's BINARY, which is Go's string order) and are cut at `max` in SQL, so a request
 * never makes the server build a list longer than it answers with.
 */
export class SeriesLookup {
  private readonly meta: Meta;
  private readonly stmt: {
    has: Statement<[Bounds & { id: number }], number>;
    names: Statement<[{ max: number }], string>;
    namesIn: Statement<[Bounds & { max: number }], string>;
    carried: Statement<[Bounds & { name: string }], number>;
    values: Statement<[{ name: string; max: number }], string>;
    valuesIn: Statement<[Bounds & { name: string; max: number }], string>;
  };

  constructor(db: MetricsDb) {
    this.meta = new Meta(db);
    // Label names by a skip scan of the postings' primary key: one seek a distinct name,
    // where SELECT DISTINCT would read a row for every label of every series.
    const names = (having: string) => `
      WITH RECURSIVE n(name) AS (
        SELECT min(name) FROM postings
        UNION ALL
        SELECT (SELECT name FROM postings WHERE name > n.name ORDER BY name LIMIT 1)
        FROM n WHERE n.name IS NOT NULL
      )
      SELECT name FROM n WHERE name IS NOT NULL ${having} LIMIT @max`;
    // Whether a series with data carries the label (with that value, when `value` says):
    // searched newest series first, as the series that stopped are mostly the old ones,
    // so a recent range usually ends the search at the first series tested.
    const carried = (name: string, value = "") => `(SELECT 1 FROM postings p
      WHERE p.name = ${name}${value} AND ${HAS_DATA("p.series_id")}
      ORDER BY p.name DESC, p.value DESC, p.series_id DESC LIMIT 1) IS NOT NULL`;
    this.stmt = {
      has: db.prepare<[Bounds & { id: number }], number>(`SELECT ${HAS_DATA("@id")}`).pluck(),
      names: db.prepare<[{ max: number }], string>(names("")).pluck(),
      namesIn: db
        .prepare<[Bounds & { max: number }], string>(names(`AND ${carried("n.name")}`))
        .pluck(),
      carried: db
        .prepare<[Bounds & { name: string }], number>(`SELECT ${carried("@name")}`)
        .pluck(),
      values: db
        .prepare<[{ name: string; max: number }], string>(
          "SELECT DISTINCT value FROM postings WHERE name = @name ORDER BY value LIMIT @max",
        )
        .pluck(),
      valuesIn: db
        .prepare<[Bounds & { name: string; max: number }], string>(
          `SELECT v.value FROM (SELECT DISTINCT value FROM postings WHERE name = @name) v
           WHERE ${carried("@name", " AND p.value = v.value")} ORDER BY v.value LIMIT @max`,
        )
        .pluck(),
    };
  }

  /** A test of whether a series holds data in the range (the range's bounds read once). */
  tester(range: TimeRange): (id: number) => boolean {
    const params = { ...this.bounds(range), id: 0 };
    return (id) => {
      params.id = id;
      return this.stmt.has.get(params) === 1;
    };
  }

  /** Label names of the series with data in the range, at most `max`. */
  labelNames(range: TimeRange, max: number): string[] {
    if (isAllTime(range)) return this.stmt.names.all({ max });
    const bounds = this.bounds(range);
    // Every series has a name: when none has data here, one pass over them says so, where
    // a test of each label name would pass over each series once a label.
    if (this.stmt.carried.get({ ...bounds, name: "__name__" }) !== 1) return [];
    return this.stmt.namesIn.all({ ...bounds, max });
  }

  /** Values of label `name` among the series with data in the range, at most `max`. */
  labelValues(name: string, range: TimeRange, max: number): string[] {
    if (isAllTime(range)) return this.stmt.values.all({ name, max });
    return this.stmt.valuesIn.all({ ...this.bounds(range), name, max });
  }

  private bounds(range: TimeRange): Bounds {
    const gone = (key: string) => clamp(this.meta.get(key) ?? -Infinity);
    const start = clamp(range.start);
    const end = clamp(range.end);
    return {
      start,
      end,
      blockFrom: blockStart(start),
      blockTo: blockStart(end),
      rawGone: gone(META.from("raw")),
      fiveGone: gone(META.from("5m")),
    };
  }
}

/**
 * Every series with postings has data somewhere: retention deletes a series with its
 * last chunk and rollup row. So an open range needs no test of each series.
 */
export function isAllTime(range: TimeRange): boolean {
  return range.start === -Infinity && range.end === Infinity;
}
