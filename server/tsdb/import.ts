import "server-only";
import { parseExposition } from "@/lib/metrics/exposition";
import type { MetricsDb } from "./db";
import { sortLabels, type LabelPairs } from "./labels";
import { TsdbWriter } from "./writer";

export type ImportResult = {
  samples: number;
  series: number;
  /** Samples at or before their series' last stored one: refused, as a scrape's would be. */
  refused: number;
  families: number;
};

/** Samples written per transaction: a large file never holds one transaction for long. */
const BATCH = 100_000;

/**
 * Imports OpenMetrics text with a timestamp on every sample (what `promtool tsdb
 * create-blocks-from openmetrics` reads) into metrics.db, labels exactly as written.
 * The whole text is checked before the first sample is written.
 */
export function importOpenMetrics(mdb: MetricsDb, text: string): ImportResult {
  const parsed = parseExposition(text, "openmetrics");
  const untimed = parsed.samples.filter((s) => s.timestampMs === undefined).length;
  if (untimed > 0)
    throw new Error(
      `${untimed} sample${untimed === 1 ? " has" : "s have"} no timestamp; every imported sample needs one`,
    );
  const writer = new TsdbWriter(mdb);
  const keys = new Set<string>();
  let n = 0;
  for (const s of parsed.samples) {
    const labels: LabelPairs = sortLabels([
      ["__name__", s.name],
      ...s.labels.filter(([, v]) => v !== ""),
    ]);
    keys.add(JSON.stringify(labels));
    writer.append(labels, s.timestampMs!, s.value);
    if (++n % BATCH === 0) writer.commit();
  }
  const meta = mdb.prepare(
    `INSERT INTO metadata (name, type, help, unit, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET type = excluded.type, help = excluded.help, unit = excluded.unit`,
  );
  const now = Date.now();
  writer.commit(now, () => {
    for (const f of parsed.families.values())
      meta.run(f.name, f.type, f.help ?? "", f.unit ?? "", now);
  });
  const refused = writer.counters.outOfOrder + writer.counters.duplicates;
  return {
    samples: writer.counters.samples,
    series: keys.size,
    refused,
    families: parsed.families.size,
  };
}
