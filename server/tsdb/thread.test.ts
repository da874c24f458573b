import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseConfigText } from "@/server/config/load";
import { openDatabase, type Db } from "@/server/db";
import { leases } from "@/server/db/schema";
import { getMetricsDb } from "./db";
import { RawReader } from "./raw-read";
import { MetricsThread } from "./thread";

const JOB = "handover";
const config = parseConfigText(
  `
environments: [{ id: production, name: Production }]
services: [{ id: backend, name: Navi, environments: {} }]
scrape:
  interval: 5s
  targets:
    - { id: ${JOB}, service: backend, environment: production, urls: ["http://127.0.0.1:4999/metrics"] }
`,
  "/etc/opsdeck.yaml",
  () => undefined,
);

// Each scrape, whoever makes it, serves the next value of one counter: the stored series
// must end up holding every value once, in order, whichever process scraped it.
let served = 0;
const stalled = new Set<string>();
const fetchFor = (holder: string) =>
  (async () => {
    // A stalled process's scrapes get nowhere (its scraper then marks the series stale).
    if (stalled.has(holder)) throw new Error("stalled");
    return new Response(`# TYPE handover_total counter\nhandover_total ${++served}\n`, {
      headers: { "content-type": "text/plain; version=0.0.4" },
    });
  }) as unknown as typeof fetch;

const threads: MetricsThread[] = [];
afterEach(async () => {
  for (const t of threads.splice(0)) await t.stop();
  vi.useRealTimers();
});

function start(db: Db, holder: string): MetricsThread {
  const t = new MetricsThread(db, config, holder, { fetch: fetchFor(holder) });
  threads.push(t);
  return t;
}

/**
 * The thread as if its process had stalled past its lease (a long GC pause, SIGSTOP):
 * its once-a-second lease and commit tick does not run, its lease expires. The returned
 * function resumes it; its scrape timers went on firing, as they all fire on resume.
 */
function stall(t: MetricsThread, holder: string, db: Db): () => void {
  const thread = t as unknown as { tick(): void };
  const tick = thread.tick;
  let missed = false;
  thread.tick = () => {
    missed = true;
  };
  stalled.add(holder);
  db.update(leases)
    .set({ expiresAt: new Date(Date.now() - 1) })
    .run();
  return () => {
    stalled.delete(holder);
    thread.tick = tick;
    if (missed) thread.tick();
  };
}

/** The counter's raw samples as stored (not a rollup: the maintenance rolls up as it runs). */
function stored(): { t: number[]; v: number[] } {
  const mdb = getMetricsDb();
  const row = mdb
    .prepare("SELECT id FROM series WHERE name = 'handover_total' AND key LIKE ?")
    .get(`%"job","${JOB}"%`) as { id: number } | undefined;
  const s = row ? new RawReader(mdb).read(row.id, 0, Number.MAX_SAFE_INTEGER) : undefined;
  return { t: Array.from(s?.t ?? []), v: Array.from(s?.v ?? []) };
}

describe("the metrics lease changing hands", () => {
  it("loses no sample and writes none twice when a stalled holder comes back after another took over", async () => {
    vi.useFakeTimers({
      now: Date.UTC(2026, 11, 4, 5, 0, 0),
      toFake: ["setTimeout", "clearTimeout", "Date"],
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-lease-"));
    const dbA = openDatabase(dir);
    const dbB = openDatabase(dir);
    const a = start(dbA, "process-a");
    const b = start(dbB, "process-b");
    await a.start();
    await b.start();
    expect(a.snapshot().leader).toBe(true);
    expect(b.snapshot().leader).toBe(false);

    await vi.advanceTimersByTimeAsync(21_000); // A scrapes 4 times and commits them
    const byA = stored().v.length;
    expect(byA).toBe(4);

    // A stalls past its lease; B takes it at its next tick and scrapes on.
    const resume = stall(a, "process-a", dbA);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(b.snapshot().leader).toBe(true);
    expect(stored().v.length).toBeGreaterThan(byA);
    // A wakes up believing it leads, with a stale-marked head it never committed.
    resume();
    expect(a.snapshot().leader).toBe(false);

    // B goes away cleanly; A takes the lease back and scrapes again.
    await b.stop();
    threads.splice(threads.indexOf(b), 1);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(a.snapshot().leader).toBe(true);
    await a.stop();
    threads.splice(threads.indexOf(a), 1);

    const { t, v } = stored();
    // Every value served was stored once, in order: nothing A held from before B's tenure
    // overwrote what B committed.
    expect(v).toEqual(Array.from({ length: served }, (_, i) => i + 1));
    expect(t.every((x, i) => i === 0 || x > t[i - 1]!)).toBe(true);
  });
});
