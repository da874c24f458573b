// npm run bench:metrics:raw-read [-- --days 1,15 --series 100 --runs 5 --seed 1]
// Are raw reads as fast from compacted blocks as from closed chunks? For each --days
// value, writes the same history (--series series scraped every 15 s, a mix like the
// ingest benchmark's target: integer and float counters, wandering and full-precision
// gauges, one-decimal temperatures, millisecond lags, constants) through the writer into
// two metrics.db files: one compacted every simulated minute as the metrics thread does,
// one never compacted (every closed chunk a row of `chunks`, the layout before blocks).
// Then times RawReader.read of every series for a recent hour, an hour three days back
// (or half the history back), the last day and the whole history, the two files in
// alternation, run after run, and checks that both return the same samples, bit for bit.
// Prints figures; asserts nothing but the samples being equal.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { mulberry32 } from "@/lib/seeded-random";
import { ChunkCompactor } from "@/server/tsdb/compact";
import { openMetricsDb, type MetricsDb } from "@/server/tsdb/db";
import type { LabelPairs } from "@/server/tsdb/labels";
import { MAINTENANCE_EVERY_MS } from "@/server/tsdb/maintenance";
import { RawReader } from "@/server/tsdb/raw-read";
import { TsdbWriter } from "@/server/tsdb/writer";
import { parseFlags } from "./generate-history";
import { percentile, round1 } from "./server-process";

const flags = parseFlags(process.argv.slice(2));
const DAYS = (flags.days ?? "1,15").split(",").map(Number);
const SERIES = Number(flags.series ?? 100);
const RUNS = Number(flags.runs ?? 5);
const SEED = Number(flags.seed ?? 1);
if (DAYS.some((d) => !Number.isInteger(d) || d < 1))
  throw new Error("--days: whole days, e.g. 1,15");
if (!Number.isInteger(SERIES) || SERIES < 1) throw new Error("--series: a positive integer");
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error("--runs: a positive integer");

const SCRAPE_MS = 15_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 2026-12-01T00:00:00Z. */
const START_MS = Date.UTC(2026, 11, 1);

/** One series' next value from its last; kinds in turn, as in bench/metrics-series.ts. */
function generators(random: () => number): ((v: number) => number)[] {
  return [
    (v) => v + Math.floor(random() * 20), // request count
    (v) => v + random() * 0.15, // CPU seconds, full precision
    (v) => Math.max(0, v + Math.round((random() - 0.5) * 6)), // queue depth
    () => random(), // ratio, full precision
    (v) => Math.round((v + (random() - 0.5)) * 10) / 10, // temperature, one decimal
    () => Math.round(random() * 400), // lag in ms
    (v) => v + (random() < 0.3 ? 1 : 0), // histogram bucket
    (v) => v, // constant
  ];
}

/** The same history into a compacted and an uncompacted metrics.db. */
function build(dir: string, days: number) {
  const random = mulberry32(SEED);
  const kinds = generators(random);
  const series = Array.from({ length: SERIES }, (_, i) => ({
    labels: [
      ["__name__", `bench_series_${i % kinds.length}`],
      ["instance", `i${i}`],
    ] as LabelPairs,
    step: kinds[i % kinds.length]!,
    value: 10 + Math.floor(random() * 100),
  }));
  const stores = [
    { name: "blocks", compact: true },
    { name: "chunks", compact: false },
  ].map((s) => {
    const sub = path.join(dir, s.name);
    fs.mkdirSync(sub, { recursive: true });
    const db = openMetricsDb(sub);
    return {
      ...s,
      dir: sub,
      db,
      writer: new TsdbWriter(db),
      compactor: s.compact ? new ChunkCompactor(db) : undefined,
      longestBatchMs: 0,
    };
  });
  const scrapes = (days * DAY) / SCRAPE_MS;
  const t0 = performance.now();
  let maintainAt = START_MS + MAINTENANCE_EVERY_MS;
  for (let k = 0; k < scrapes; k++) {
    const t = START_MS + k * SCRAPE_MS;
    for (const s of series) {
      s.value = s.step(s.value);
      for (const store of stores) store.writer.append(s.labels, t, s.value);
    }
    for (const store of stores) store.writer.commit(t + 1000);
    if (t >= maintainAt) {
      for (const store of stores) {
        const r = store.compactor?.runNow(t + 1000);
        if (r) store.longestBatchMs = Math.max(store.longestBatchMs, r.longestBatchMs);
      }
      maintainAt += MAINTENANCE_EVERY_MS;
    }
  }
  const end = START_MS + scrapes * SCRAPE_MS;
  for (const store of stores) {
    store.writer.commit(end);
    store.compactor?.runNow(end);
    store.db.pragma("wal_checkpoint(TRUNCATE)");
  }
  return { stores, end, samples: scrapes * SERIES, writeSeconds: (performance.now() - t0) / 1000 };
}

function bits(v: Float64Array): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const rows = (db: MetricsDb, table: string) =>
  (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

async function measure(days: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-bench-raw-read-"));
  try {
    const built = build(dir, days);
    const { stores, end } = built;
    const back = Math.min(3 * DAY, (days * DAY) / 2);
    const windows: { name: string; start: number; end: number }[] = [
      { name: "recent hour", start: end - HOUR, end },
      { name: `an hour ${round1(back / DAY)} d back`, start: end - back - HOUR, end: end - back },
      { name: "last day", start: end - DAY, end },
      { name: `all ${days} d`, start: end - days * DAY, end },
    ];
    const readers = stores.map((s) => new RawReader(s.db));
    // Per window and store: each read's time (µs) and samples read.
    const times = windows.map(() => stores.map(() => [] as number[]));
    const samples = windows.map(() => 0);
    let mismatches = 0;
    // Run 0 warms the JIT and the page cache up and is not timed.
    for (let run = 0; run <= RUNS; run++) {
      windows.forEach((w, wi) => {
        // Alternate which store goes first, so neither always reads a warmer cache.
        const order = run % 2 === 0 ? [0, 1] : [1, 0];
        const got: ReturnType<RawReader["read"]>[][] = [[], []];
        for (const si of order) {
          for (let id = 1; id <= SERIES; id++) {
            const t0 = performance.now();
            const r = readers[si]!.read(id, w.start, w.end);
            if (run > 0) times[wi]![si]!.push((performance.now() - t0) * 1000);
            got[si]!.push(r);
          }
        }
        for (let i = 0; i < SERIES; i++) {
          const [a, b] = [got[0]![i]!, got[1]![i]!];
          if (!sameBytes(bits(a.t), bits(b.t)) || !sameBytes(bits(a.v), bits(b.v))) mismatches++;
          if (run === 0) samples[wi]! += a.t.length;
        }
      });
    }
    for (const perStore of times) for (const list of perStore) list.sort((a, b) => a - b);
    const figures = windows.map((w, wi) => ({
      window: w.name,
      samplesPerRead: Math.round(samples[wi]! / SERIES),
      ...Object.fromEntries(
        stores.map((s, si) => [
          s.name,
          {
            medianUs: round1(percentile(times[wi]![si]!, 0.5)),
            p95Us: round1(percentile(times[wi]![si]!, 0.95)),
          },
        ]),
      ),
    }));
    const files = stores.map((s) => ({
      name: s.name,
      bytesPerSample: Number(
        (fs.statSync(path.join(s.dir, "metrics.db")).size / built.samples).toFixed(2),
      ),
      chunkRows: rows(s.db, "chunks"),
      blockRows: rows(s.db, "blocks"),
      longestCompactionBatchMs: round1(s.longestBatchMs),
    }));
    for (const s of stores) s.db.close();
    return {
      days,
      series: SERIES,
      samples: built.samples,
      writeSeconds: round1(built.writeSeconds),
      files,
      figures,
      mismatches,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const results = [];
  for (const days of DAYS) {
    const r = await measure(days);
    results.push(r);
    console.log(
      `\n${days} d, ${r.series} series, ${r.samples} samples (written in ${r.writeSeconds} s); ${RUNS} runs of a read per series per window; samples equal in both: ${r.mismatches === 0 ? "yes" : `NO, ${r.mismatches} reads differ`}`,
    );
    for (const f of r.files)
      console.log(
        `  ${f.name.padEnd(7)} ${f.bytesPerSample} B/sample, ${f.blockRows} block rows, ${f.chunkRows} chunk rows${f.name === "blocks" ? `, longest compaction batch ${f.longestCompactionBatchMs} ms` : ""}`,
      );
    console.log(
      `  ${"window".padEnd(20)}${"samples".padStart(9)}${"blocks µs".padStart(12)}${"chunks µs".padStart(12)}${"ratio".padStart(8)}   (median per read; p95 in the JSON)`,
    );
    for (const f of r.figures) {
      const b = (f as unknown as Record<string, { medianUs: number }>).blocks!.medianUs;
      const c = (f as unknown as Record<string, { medianUs: number }>).chunks!.medianUs;
      console.log(
        `  ${f.window.padEnd(20)}${String(f.samplesPerRead).padStart(9)}${String(b).padStart(12)}${String(c).padStart(12)}${(b / c).toFixed(2).padStart(8)}`,
      );
    }
  }
  console.log(
    JSON.stringify({ date: new Date().toISOString(), runs: RUNS, seed: SEED, results }, null, 2),
  );
  if (results.some((r) => r.mismatches > 0)) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
