import "server-only";
import v8 from "node:v8";
import type { MetricsDb } from "./db";
import type { LabelPairs } from "./labels";
import type { TsdbWriter } from "./writer";

/** One pushed series: labels sorted by name (`__name__` included), its samples in time order. */
export type InboxSeries = { labels: LabelPairs; t: ArrayLike<number>; v: ArrayLike<number> };

type Stored = { labels: LabelPairs; t: Float64Array; v: Float64Array }[];

/** Rows the writer takes per commit, so a burst of pushes never makes one commit long. */
const DRAIN_ROWS = 50;

/**
 * Stores a checked push durably (the caller answers 2xx after this returns). Values
 * go in as float64 arrays, so NaN payloads (the staleness marker among them) survive.
 */
export function enqueuePush(
  db: MetricsDb,
  source: string,
  series: InboxSeries[],
  now = Date.now(),
): number {
  const stored: Stored = series.map((s) => ({
    labels: s.labels,
    t: Float64Array.from(s.t),
    v: Float64Array.from(s.v),
  }));
  const samples = stored.reduce((n, s) => n + s.t.length, 0);
  db.prepare("INSERT INTO inbox (received_at, source, samples, body) VALUES (?, ?, ?, ?)").run(
    now,
    source,
    samples,
    v8.serialize(stored),
  );
  return samples;
}

/**
 * Appends the oldest waiting pushes to the writer; `remove()` deletes their rows and
 * must run in the transaction that commits the samples (so a crash replays or keeps
 * them, never both). A sample older than its series' last is refused by the writer.
 */
export function drainInbox(
  db: MetricsDb,
  writer: TsdbWriter,
): { rows: number; remove: () => void } {
  const rows = db.prepare("SELECT id, body FROM inbox ORDER BY id LIMIT ?").all(DRAIN_ROWS) as {
    id: number;
    body: Buffer;
  }[];
  for (const row of rows) {
    for (const s of v8.deserialize(row.body) as Stored)
      for (let i = 0; i < s.t.length; i++) writer.append(s.labels, s.t[i]!, s.v[i]!);
  }
  const last = rows.at(-1)?.id;
  return {
    rows: rows.length,
    remove: () => {
      if (last !== undefined) db.prepare("DELETE FROM inbox WHERE id <= ?").run(last);
    },
  };
}
