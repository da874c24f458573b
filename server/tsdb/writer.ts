import "server-only";
import type { Statement } from "better-sqlite3";
import { ChunkAppender } from "@/lib/metrics/chunk";
import { blockStart, COMPACT_META } from "./blocks";
import type { MetricsDb } from "./db";
import { seriesKey, type LabelPairs } from "./labels";

/** A chunk is closed at this many samples (Prometheus's target) … */
export const CHUNK_SAMPLES = 120;
/**
 * … or when its samples span this long, so a chunk never covers more than 2 h, and at
 * every two-hour block boundary (blocks.ts), as Prometheus's head cuts them, so that a
 * block's chunks are all closed soon after it ends. Chunks written before the boundary
 * rule may still cross one; the compaction splits them.
 */
export const CHUNK_SPAN_MS = 2 * 3_600_000;

type Head = {
  key: string;
  labels: LabelPairs;
  /** undefined until the series is created (at the next commit). */
  id: number | undefined;
  appender: ChunkAppender;
  dirty: boolean;
};

type Closed = { head: Head; firstT: number; lastT: number; count: number; data: Uint8Array };

export type AppendOutcome = "ok" | "out-of-order" | "duplicate";

export type WriterCounters = {
  samples: number;
  outOfOrder: number;
  duplicates: number;
  seriesCreated: number;
  commits: number;
};

/**
 * The only writer of metrics.db's samples (it runs in the metrics thread). Samples go
 * into each series' open chunk in memory; `commit()` writes every changed open chunk
 * and every chunk closed since, with any new series and their postings, in one
 * transaction. The caller commits once a second, so a crash loses at most a second.
 */
export class TsdbWriter {
  private readonly heads = new Map<string, Head>();
  private readonly byId = new Map<number, Head>();
  private closed: Closed[] = [];
  readonly counters: WriterCounters = {
    samples: 0,
    outOfOrder: 0,
    duplicates: 0,
    seriesCreated: 0,
    commits: 0,
  };
  private readonly stmt: {
    findSeries: Statement<[string], { id: number }>;
    readHead: Statement<[number], { data: Buffer }>;
    insertSeries: Statement<[string, string, number], { id: number }>;
    insertPosting: Statement<[string, string, number]>;
    upsertHead: Statement<[number, number, number, number, Uint8Array]>;
    insertChunk: Statement<[number, number, number, number, Uint8Array]>;
    compactTarget: Statement<[string], { value: number }>;
    setRedo: Statement<[string]>;
  };

  constructor(private readonly db: MetricsDb) {
    this.stmt = {
      findSeries: db.prepare("SELECT id FROM series WHERE key = ?"),
      readHead: db.prepare("SELECT data FROM head WHERE series_id = ?"),
      insertSeries: db.prepare(
        "INSERT INTO series (key, name, created_at) VALUES (?, ?, ?) RETURNING id",
      ),
      insertPosting: db.prepare(
        "INSERT OR IGNORE INTO postings (name, value, series_id) VALUES (?, ?, ?)",
      ),
      upsertHead: db.prepare(
        `INSERT INTO head (series_id, first_t, last_t, count, data) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (series_id) DO UPDATE SET first_t = excluded.first_t,
           last_t = excluded.last_t, count = excluded.count, data = excluded.data`,
      ),
      insertChunk: db.prepare(
        "INSERT OR REPLACE INTO chunks (series_id, first_t, last_t, count, data) VALUES (?, ?, ?, ?, ?)",
      ),
      compactTarget: db.prepare("SELECT value FROM meta WHERE key = ?"),
      setRedo: db.prepare(
        "INSERT INTO meta (key, value) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET value = 1",
      ),
    };
  }

  /** Series this writer holds an open chunk for. */
  get seriesCount(): number {
    return this.heads.size;
  }

  /**
   * Appends one sample to the series with these labels (sorted by name, `__name__`
   * included). Samples must come in time order per series, as Prometheus requires: an
   * older one is refused, and one at the same time as the last is a duplicate.
   */
  append(labels: LabelPairs, t: number, v: number): AppendOutcome {
    const key = seriesKey(labels);
    const head = this.heads.get(key) ?? this.openHead(key, labels);
    const last = head.appender.lastT;
    if (last !== undefined && t <= last) {
      if (t === last) this.counters.duplicates++;
      else this.counters.outOfOrder++;
      return t === last ? "duplicate" : "out-of-order";
    }
    const first = head.appender.firstT;
    if (
      first !== undefined &&
      (head.appender.count >= CHUNK_SAMPLES ||
        t - first >= CHUNK_SPAN_MS ||
        blockStart(t) !== blockStart(first))
    ) {
      this.closed.push({
        head,
        firstT: first,
        lastT: last!,
        count: head.appender.count,
        data: head.appender.bytes(),
      });
      head.appender = new ChunkAppender();
    }
    head.appender.append(t, v);
    head.dirty = true;
    this.counters.samples++;
    return "ok";
  }

  /**
   * Writes everything appended since the last commit, in one transaction, with
   * `alongside` (what must be stored with these samples or not at all: the inbox rows
   * they came from, the targets' status).
   */
  commit(now = Date.now(), alongside?: () => void): { series: number; chunks: number } {
    const dirty = [...this.heads.values()].filter((h) => h.dirty);
    const closed = this.closed;
    if (dirty.length === 0 && closed.length === 0 && !alongside) return { series: 0, chunks: 0 };
    this.db
      .transaction(() => {
        alongside?.();
        for (const h of dirty) if (h.id === undefined) this.createSeries(h, now);
        for (const c of closed) {
          if (c.head.id === undefined) this.createSeries(c.head, now);
          this.stmt.insertChunk.run(c.head.id!, c.firstT, c.lastT, c.count, c.data);
        }
        if (closed.length > 0) this.noteLateChunks(closed);
        for (const h of dirty) {
          const a = h.appender;
          this.stmt.upsertHead.run(h.id!, a.firstT!, a.lastT!, a.count, a.bytes());
        }
      })
      .immediate();
    for (const h of dirty) h.dirty = false;
    this.closed = [];
    this.counters.commits++;
    return { series: dirty.length, chunks: closed.length };
  }

  /**
   * Forgets a series' open chunk so retention can delete it (or the whole series) from
   * disk; false while it holds samples not yet committed, which retention then keeps.
   */
  release(id: number): boolean {
    const h = this.byId.get(id);
    if (!h) return true;
    if (h.dirty || this.closed.some((c) => c.head === h)) return false;
    this.heads.delete(h.key);
    this.byId.delete(id);
    return true;
  }

  /** Forgets the in-memory open chunk of series not written for a while (they stay on disk). */
  evictIdle(olderThanMs: number, now = Date.now()): number {
    let evicted = 0;
    for (const [key, h] of this.heads) {
      if (h.dirty || h.id === undefined) continue;
      if ((h.appender.lastT ?? 0) < now - olderThanMs) {
        this.heads.delete(key);
        this.byId.delete(h.id);
        evicted++;
      }
    }
    return evicted;
  }

  /**
   * Forgets every open chunk and uncommitted sample. For a process whose metrics lease
   * ended or began anew: another process may have written these series since, so what
   * this writer holds is older than disk, and each head is read again when next used.
   */
  reset(): void {
    this.heads.clear();
    this.byId.clear();
    this.closed = [];
  }

  /**
   * A chunk closed into a block the compaction has already passed (an import of older
   * samples, a series quiet since then) asks it for another pass; read in the commit's
   * transaction, so a pass that starts at the same time is never missed.
   */
  private noteLateChunks(closed: Closed[]): void {
    const target = this.stmt.compactTarget.get(COMPACT_META.target)?.value;
    if (target !== undefined && closed.some((c) => c.firstT < target))
      this.stmt.setRedo.run(COMPACT_META.redo);
  }

  private openHead(key: string, labels: LabelPairs): Head {
    const row = this.stmt.findSeries.get(key);
    const data = row ? this.stmt.readHead.get(row.id)?.data : undefined;
    const head: Head = {
      key,
      labels,
      id: row?.id,
      appender: new ChunkAppender(data ? new Uint8Array(data) : undefined),
      dirty: false,
    };
    this.heads.set(key, head);
    if (head.id !== undefined) this.byId.set(head.id, head);
    return head;
  }

  private createSeries(h: Head, now: number): void {
    const name = h.labels.find(([n]) => n === "__name__")?.[1] ?? "";
    h.id = this.stmt.insertSeries.get(h.key, name, now)!.id;
    this.byId.set(h.id, h);
    for (const [n, v] of h.labels) this.stmt.insertPosting.run(n, v, h.id);
    this.counters.seriesCreated++;
  }
}
