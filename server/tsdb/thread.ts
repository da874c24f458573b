import "server-only";
import type { Statement } from "better-sqlite3";
import type { MetricFamilyMeta } from "@/lib/metrics/exposition";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import type { EngineOptions, MetricsSnapshot, ThreadParts } from "@/server/engine/protocol";
import { holdsLease, releaseLease, takeLease, type LeaseToken } from "@/server/jobs/lease";
import { logger } from "@/server/logger";
import { getMetricsDb, type MetricsDb } from "./db";
import { METRICS_LEASE } from "./lease";
import { drainInbox } from "./inbox";
import { MAINTENANCE_EVERY_MS, MetricsMaintenance } from "./maintenance";
import { ReplicaScraper, scrapeOffsetMs, scrapeSpecs, type ScrapeSpec } from "./scraper";
import { TsdbWriter } from "./writer";

const LEASE_TTL_MS = 30_000;
const COMMIT_MS = 1000;

type Loop = {
  spec: ScrapeSpec;
  signature: string;
  scraper: ReplicaScraper;
  timer: NodeJS.Timeout | undefined;
  /** When the next scrape is due (epoch ms). */
  slot: number;
  running: Promise<void> | undefined;
};

/**
 * A scrape that starts this close to its slot is stamped with the slot (Prometheus's
 * scrape.timestamp-tolerance): evenly spaced timestamps cost one bit each in a chunk,
 * a few milliseconds of timer jitter sixteen.
 */
const TIMESTAMP_TOLERANCE_MS = 25;

type PendingStatus = {
  job: string;
  instance: string;
  url: string;
  health: "up" | "down";
  at: number;
  durationMs: number;
  samples: number;
  error: string | undefined;
};

/**
 * The metrics thread: the scrape loops (while this process holds the metrics lease),
 * the writer that commits once a second, and the drain of pushed samples. Nothing here
 * shares a thread with an uptime check, an alert or a page.
 */
export class MetricsThread implements ThreadParts<MetricsSnapshot> {
  private readonly mdb: MetricsDb;
  private readonly fetchImpl: typeof fetch;
  readonly writer: TsdbWriter;
  private readonly loops = new Map<string, Loop>();
  private leader = false;
  /** The lease tenure this writer's memory belongs to (undefined: not leading). */
  private tenure: number | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  private readonly maintenance: MetricsMaintenance;
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private maintaining: Promise<void> | undefined;
  private stopped = false;
  private statuses: PendingStatus[] = [];
  private families = new Map<string, MetricFamilyMeta>();
  private readonly knownMeta = new Map<string, string>();
  private readonly stmt: {
    status: Statement<
      [string, string, string, string, number, number, number, string | null, number]
    >;
    meta: Statement<[string, string, string, string, number]>;
    keepTarget: Statement<[string, string, string, number]>;
  };

  constructor(
    private readonly db: Db,
    private config: OpsdeckConfig,
    readonly holder: string,
    options: EngineOptions = {},
  ) {
    this.fetchImpl = options.fetch ?? fetch;
    this.mdb = getMetricsDb();
    this.writer = new TsdbWriter(this.mdb);
    this.maintenance = new MetricsMaintenance(this.mdb, this.writer);
    this.stmt = {
      status: this.mdb.prepare(
        `INSERT INTO targets (job, instance, url, health, last_scrape_at, duration_ms, samples, last_error, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (job, instance) DO UPDATE SET url = excluded.url, health = excluded.health,
           last_scrape_at = excluded.last_scrape_at, duration_ms = excluded.duration_ms,
           samples = excluded.samples, last_error = excluded.last_error, updated_at = excluded.updated_at`,
      ),
      meta: this.mdb.prepare(
        `INSERT INTO metadata (name, type, help, unit, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET type = excluded.type, help = excluded.help,
           unit = excluded.unit, updated_at = excluded.updated_at`,
      ),
      keepTarget: this.mdb.prepare(
        `INSERT INTO targets (job, instance, url, health, updated_at) VALUES (?, ?, ?, 'unknown', ?)`,
      ),
    };
  }

  async start(): Promise<void> {
    this.applyConfig(this.config);
    this.tick();
    this.scheduleMaintenance();
  }

  applyConfig(config: OpsdeckConfig): void {
    this.config = config;
    const specs = scrapeSpecs(config);
    const wanted = new Map(specs.map((s) => [`${s.job}\0${s.instance}`, s]));
    const now = Date.now();
    for (const [key, loop] of this.loops) {
      const spec = wanted.get(key);
      if (spec && JSON.stringify(spec) === loop.signature) continue;
      this.stopLoop(loop);
      this.loops.delete(key);
      if (!spec) loop.scraper.retire(now);
    }
    for (const [key, spec] of wanted) {
      if (this.loops.has(key)) continue;
      const loop: Loop = {
        spec,
        signature: JSON.stringify(spec),
        scraper: new ReplicaScraper(spec, this.writer, this.fetchImpl),
        timer: undefined,
        slot: 0,
        running: undefined,
      };
      this.loops.set(key, loop);
      this.schedule(loop, now);
    }
    this.syncTargetRows(specs, now);
  }

  snapshot(now = Date.now()): MetricsSnapshot {
    return {
      role: "metrics",
      at: now,
      holder: this.holder,
      leader: this.leader,
      targets: this.loops.size,
      series: this.writer.seriesCount,
      samples: this.writer.counters.samples,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.commitTimer);
    clearTimeout(this.maintenanceTimer);
    await this.maintaining;
    for (const loop of this.loops.values()) clearTimeout(loop.timer);
    await Promise.allSettled([...this.loops.values()].map((l) => l.running));
    if (this.leader) {
      this.flush();
      releaseLease(this.db, METRICS_LEASE, this.holder);
    }
  }

  /** The Targets page lists every configured replica, scraped yet or not. */
  private syncTargetRows(specs: ScrapeSpec[], now: number): void {
    this.mdb
      .transaction(() => {
        const rows = this.mdb.prepare("SELECT job, instance FROM targets").all() as {
          job: string;
          instance: string;
        }[];
        const keep = new Set(specs.map((s) => `${s.job}\0${s.instance}`));
        const have = new Set(rows.map((r) => `${r.job}\0${r.instance}`));
        for (const r of rows)
          if (!keep.has(`${r.job}\0${r.instance}`))
            this.mdb
              .prepare("DELETE FROM targets WHERE job = ? AND instance = ?")
              .run(r.job, r.instance);
        for (const s of specs)
          if (!have.has(`${s.job}\0${s.instance}`))
            this.stmt.keepTarget.run(s.job, s.instance, s.url, now);
      })
      .immediate();
  }

  private schedule(loop: Loop, now: number): void {
    const { intervalMs } = loop.spec;
    const offset = scrapeOffsetMs(loop.spec);
    const next = Math.floor((now - offset) / intervalMs) * intervalMs + offset + intervalMs;
    loop.slot = next;
    loop.timer = setTimeout(() => this.runLoop(loop), Math.max(0, next - Date.now()));
    loop.timer.unref();
  }

  private runLoop(loop: Loop): void {
    if (this.stopped || this.loops.get(`${loop.spec.job}\0${loop.spec.instance}`) !== loop) return;
    const now = Date.now();
    const stamp = Math.abs(now - loop.slot) <= TIMESTAMP_TOLERANCE_MS ? loop.slot : now;
    // From the slot, not the clock: a timer a millisecond early must not get the same slot again.
    this.schedule(loop, Math.max(now, loop.slot));
    // A scrape still running when the next is due is skipped, as Prometheus skips it.
    if (!this.leader || loop.running) return;
    loop.running = loop.scraper
      .scrape(stamp)
      .then((r) => {
        this.statuses.push({
          job: loop.spec.job,
          instance: loop.spec.instance,
          url: loop.spec.url,
          health: r.ok ? "up" : "down",
          at: stamp,
          durationMs: r.durationMs,
          samples: r.kept,
          error: r.error,
        });
        for (const [name, meta] of r.families) this.families.set(name, meta);
      })
      .catch((err) => logger.error({ error: err }, "a scrape failed unexpectedly"))
      .finally(() => {
        loop.running = undefined;
      });
  }

  private stopLoop(loop: Loop): void {
    clearTimeout(loop.timer);
    loop.timer = undefined;
  }

  /** Every second: the lease, then one commit of samples, pushes, statuses and metadata. */
  private tick(): void {
    if (this.stopped) return;
    let token: LeaseToken | null = null;
    try {
      token = takeLease(this.db, METRICS_LEASE, this.holder, LEASE_TTL_MS);
    } catch (err) {
      logger.error({ error: err }, "could not renew the metrics lease");
    }
    this.leader = token !== null;
    if (token?.epoch !== this.tenure) this.changeTenure(token);
    try {
      // Only under the lease, checked in this same synchronous turn as the commit.
      if (this.leader) this.flush();
    } catch (err) {
      logger.error({ error: err }, "could not write metrics; retrying in a second");
    }
    this.commitTimer = setTimeout(() => this.tick(), COMMIT_MS);
    this.commitTimer.unref();
  }

  /**
   * The lease was lost, or taken anew after another process may have held it (this one
   * stalled past it: a long pause, a stopped process). Either way another writer may have
   * committed since, so nothing in memory is written: the samples scraped under a lease
   * that has ended are dropped, as the new holder scrapes the same targets, and the open
   * chunks are read again from disk. Otherwise an old head would overwrite the other
   * writer's samples.
   */
  private changeTenure(token: LeaseToken | null): void {
    if (this.tenure !== undefined || token)
      logger.info(
        { holder: this.holder, from: this.tenure ?? null, to: token?.epoch ?? null },
        token ? "took the metrics lease" : "lost the metrics lease",
      );
    this.tenure = token?.epoch;
    this.writer.reset();
    this.statuses = [];
    this.families = new Map();
  }

  private scheduleMaintenance(): void {
    this.maintenanceTimer = setTimeout(() => {
      this.maintaining = this.maintain().finally(() => {
        this.maintaining = undefined;
        if (!this.stopped) this.scheduleMaintenance();
      });
    }, MAINTENANCE_EVERY_MS);
    this.maintenanceTimer.unref();
  }

  /** Rollup and retention, by the process that scrapes (one at a time). */
  private async maintain(): Promise<void> {
    // Checked in the database, not only the flag: a process resuming from a stall runs
    // its overdue timers in any order, and this one may come before the lease tick.
    const leading = () =>
      this.tenure !== undefined &&
      holdsLease(this.db, METRICS_LEASE, { holder: this.holder, epoch: this.tenure });
    if (!leading()) return;
    try {
      await this.maintenance.run(
        this.config.metrics.retention,
        Date.now(),
        () => this.stopped || !leading(),
      );
    } catch (err) {
      logger.error({ error: err }, "metrics rollup or retention failed; retrying in a minute");
    }
  }

  private flush(now = Date.now()): void {
    const statuses = this.statuses;
    const families = this.families;
    this.statuses = [];
    this.families = new Map();
    const drained = drainInbox(this.mdb, this.writer);
    try {
      this.writer.commit(now, () => {
        drained?.remove();
        for (const s of statuses)
          this.stmt.status.run(
            s.job,
            s.instance,
            s.url,
            s.health,
            s.at,
            s.durationMs,
            s.samples,
            s.error ?? null,
            now,
          );
        for (const [name, m] of families) {
          const sig = `${m.type}\0${m.help ?? ""}\0${m.unit ?? ""}`;
          if (this.knownMeta.get(name) === sig) continue;
          this.stmt.meta.run(name, m.type, m.help ?? "", m.unit ?? "", now);
          this.knownMeta.set(name, sig);
        }
      });
    } catch (err) {
      // Kept for the next second's commit.
      this.statuses = [...statuses, ...this.statuses];
      for (const [k, v] of families) if (!this.families.has(k)) this.families.set(k, v);
      throw err;
    }
  }
}
