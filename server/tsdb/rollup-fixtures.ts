import "server-only";
// Seeded histories for the rollup, retention and resolution tests: counters that reset,
// gauges with NaNs and negative values, missed scrapes, and series that go stale and
// come back, scraped every 15 s.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { STALE_NAN } from "@/lib/metrics/stale";
import { mulberry32 } from "@/lib/seeded-random";
import { openMetricsDb, type MetricsDb } from "./db";
import type { LabelPairs } from "./labels";
import { TsdbWriter } from "./writer";

export type FixtureSeries = { labels: LabelPairs; t: Float64Array; v: Float64Array };

/** 2025-11-24T16:00:00Z: a whole hour, so 5-minute and hourly buckets start on it. */
export const FIXTURE_T0 = 1_764_000_000_000;
export const SCRAPE_MS = 15_000;

export function freshDb(): MetricsDb {
  return openMetricsDb(fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-rollup-")));
}

/**
 * `count` series over `hours` from FIXTURE_T0: kind by index, a counter with resets
 * (some at the first scrape of a bucket), a gauge with NaNs, and a counter that goes
 * stale for 20 minutes now and then; about 2 % of scrapes missed.
 */
export function fixtureHistory(seed: number, count: number, hours: number): FixtureSeries[] {
  const rand = mulberry32(seed);
  const scrapes = (hours * 3_600_000) / SCRAPE_MS;
  const out: FixtureSeries[] = [];
  for (let s = 0; s < count; s++) {
    const kind = s % 3;
    const name = kind === 1 ? "queue_depth" : "requests_total";
    const labels: LabelPairs = [
      ["__name__", name],
      ["instance", `i${s}`],
      ["job", kind === 2 ? "flaky" : "api"],
    ];
    // Float64Arrays: a plain array may quiet the staleness NaN.
    const t = new Float64Array(scrapes);
    const v = new Float64Array(scrapes);
    let n = 0;
    const push = (at: number, x: number) => {
      t[n] = at;
      v[n++] = x;
    };
    let value = Math.floor(rand() * 1000);
    let staleUntil = -1;
    for (let i = 0; i < scrapes; i++) {
      const at = FIXTURE_T0 + i * SCRAPE_MS;
      if (at < staleUntil) continue;
      if (rand() < 0.02) continue;
      if (kind === 1) {
        push(at, rand() < 0.01 ? NaN : Math.round((rand() - 0.3) * 1000) / 10);
        continue;
      }
      if (kind === 2 && rand() < 0.002) {
        push(at, STALE_NAN);
        staleUntil = at + 20 * 60_000;
        continue;
      }
      // Some resets fall on a bucket's first scrape, so one bucket ends high and the next starts low.
      const edge = at % 300_000 === 0 && rand() < 0.05;
      if (edge || rand() < 0.003) value = Math.floor(rand() * 5);
      else value += Math.floor(rand() * 10);
      push(at, value);
    }
    out.push({ labels, t: t.subarray(0, n), v: v.subarray(0, n) });
  }
  return out;
}

/** Writes the series through the writer, in time order across series, committing as it goes. */
export function writeHistory(db: MetricsDb, series: FixtureSeries[], until = Infinity): void {
  const w = new TsdbWriter(db);
  const events: [number, number, number][] = [];
  for (let s = 0; s < series.length; s++)
    for (let i = 0; i < series[s]!.t.length; i++)
      if (series[s]!.t[i]! <= until) events.push([series[s]!.t[i]!, s, i]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let n = 0;
  for (const [t, s, i] of events) {
    w.append(series[s]!.labels, t, series[s]!.v[i]!);
    if (++n % 20_000 === 0) w.commit();
  }
  w.commit();
}

/** Every rollup row, for comparing two databases or two runs. */
export function rollupRows(db: MetricsDb): unknown[] {
  return db
    .prepare(
      "SELECT series_id, step, first_t, last_t, count, hex(data) AS data FROM rollups ORDER BY series_id, step, first_t",
    )
    .all();
}
