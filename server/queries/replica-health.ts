import "server-only";
import type { LiveView } from "@/lib/live-state";
import { pageOf } from "@/lib/monitor-list";
import {
  REPLICA_BUCKET_MS,
  REPLICA_BUCKETS,
  REPLICA_ERROR_CHARS,
  REPLICA_SUMMARY_GROUPS,
  REPLICAS_PAGE,
  replicaViewKey,
  type ReplicaCounts,
  type ReplicaGroup,
  type ReplicaHealthName,
  type ReplicaHealthView,
  type ReplicaHistory,
  type ReplicaRow,
  type ReplicaSummaryView,
  type ReplicaViewSpec,
} from "@/lib/replica-health";
import { hasRole } from "@/lib/roles";
import type { SessionUser } from "@/server/auth/session";
import type { MetricsConfig } from "@/server/config/metrics-schema";
import type { OpsdeckConfig } from "@/server/config/schema";
import { logger } from "@/server/logger";
import type { MetricsDb } from "@/server/tsdb/db";
import { PromApiError } from "@/server/tsdb/prom-errors";
import { queryInWorker } from "@/server/tsdb/query-pool";
import { forwardToDatasource } from "@/server/tsdb/remote-datasource";
import { configuredTargets } from "./metric-targets";

// Per-replica health for the uptime side. The state now is the metrics thread's record of
// each replica's last scrape (metrics.db `targets`); the last 24 hours are the `up` series,
// read through the same query path as Explore and Prometheus's API (the query worker over
// the built-in store, or the `prometheus` datasource), so both stores give one answer.

/**
 * A scrape older than this many intervals means the loop has stopped (the metrics thread
 * died, or no process holds the metrics lease): the last result no longer says anything.
 */
export const STALE_INTERVALS = 3;
/** Plus the writer's once-a-second commit and timer slack, so a healthy loop never reads stale. */
const STALE_SLACK_MS = 2_000;

/** The 24 h figures are read again at most this often per view (the state now, every poll). */
export const HISTORY_FRESH_MS = 15_000;
/** How long a live poll waits for the history before answering without it (then cached). */
export const LIVE_HISTORY_WAIT_MS = 2_000;
/** The page's own render waits longer: it is streamed inside its Suspense boundary. */
export const PAGE_HISTORY_WAIT_MS = 8_000;

/** Sends one query to the metrics store in use and returns the answer's `data`. */
export type PromRunner = (kind: "instant" | "range", params: URLSearchParams) => Promise<unknown>;

/**
 * The existing query path for a datasource: the query worker over metrics.db, or the
 * `prometheus` datasource (its `up` series must carry Opsdeck's `job` and `instance`
 * labels, as it does when it scrapes the same targets or receives them by remote write).
 */
export function datasourceRunner(
  ds: MetricsConfig["datasource"],
  fetchImpl: typeof fetch = fetch,
): PromRunner {
  if (ds.type === "builtin")
    return async (kind, params) => (await queryInWorker(kind, params)).data;
  return async (kind, params) => {
    const path = kind === "range" ? "/api/v1/query_range" : "/api/v1/query";
    const res = await forwardToDatasource(ds, path, params, fetchImpl);
    const body = (await res.json()) as {
      status?: string;
      data?: unknown;
      errorType?: string;
      error?: string;
    };
    if (body.status !== "success")
      throw new PromApiError(
        "unavailable",
        `the prometheus datasource answered ${body.errorType ?? `HTTP ${res.status}`}: ${String(body.error ?? "").slice(0, 200)}`,
      );
    return body.data;
  };
}

type Pair = { job: string; instance: string };
const pairKey = (p: Pair) => `${p.job}\0${p.instance}`;

/** What one read of the history gives, per replica. */
type HistoryAnswer = {
  at: number;
  end: number;
  availability: Map<string, number>;
  buckets: Map<string, (number | null)[]>;
};

const regexEscape = (s: string) => s.replace(/[\\.^$|?*+()[\]{}]/g, "\\$&");
/** A PromQL string literal: its escapes are Go's, which JSON's are a subset of. */
const promString = (s: string) => JSON.stringify(s);

/** `up` of exactly these replicas, in one selector. */
export function upSelector(pairs: Pair[]): string {
  const jobs = [...new Set(pairs.map((p) => p.job))];
  const instances = [...new Set(pairs.map((p) => p.instance))];
  const one = (name: string, values: string[]) =>
    values.length === 1
      ? `${name}=${promString(values[0]!)}`
      : `${name}=~${promString(values.map(regexEscape).join("|"))}`;
  return `up{${one("job", jobs)},${one("instance", instances)}}`;
}

type PromSample = { metric: Record<string, string>; value?: [number, string] };
type PromSeries = { metric: Record<string, string>; values?: [number, string][] };

function resultOf<T>(data: unknown, type: string): T[] {
  const d = data as { resultType?: string; result?: unknown };
  if (d?.resultType !== type || !Array.isArray(d.result))
    throw new PromApiError("internal", `expected a ${type} answer`);
  return d.result as T[];
}

/**
 * The availability over the 24 hours to `now` (avg_over_time: the share of scrapes that
 * were up) and the mean of `up` in each of the last 48 half hours, aligned to half-hour
 * boundaries so the bar does not shift with every poll. The bucket's range is 30 minutes
 * less a millisecond: ranges include both ends, and a scrape on a boundary must fall in
 * one bucket, not two.
 */
export async function readReplicaHistory(
  run: PromRunner,
  pairs: Pair[],
  now: number,
): Promise<HistoryAnswer> {
  const selector = upSelector(pairs);
  const end = Math.ceil(now / REPLICA_BUCKET_MS) * REPLICA_BUCKET_MS;
  const start = end - (REPLICA_BUCKETS - 1) * REPLICA_BUCKET_MS;
  const [instant, range] = await Promise.all([
    run(
      "instant",
      new URLSearchParams({ query: `avg_over_time(${selector}[24h])`, time: String(now / 1000) }),
    ),
    run(
      "range",
      new URLSearchParams({
        query: `avg_over_time(${selector}[${REPLICA_BUCKET_MS - 1}ms])`,
        start: String(start / 1000),
        end: String(end / 1000),
        step: String(REPLICA_BUCKET_MS / 1000),
      }),
    ),
  ]);
  const wanted = new Set(pairs.map(pairKey));
  const key = (m: Record<string, string>) =>
    pairKey({ job: m.job ?? "", instance: m.instance ?? "" });
  const availability = new Map<string, number>();
  for (const s of resultOf<PromSample>(instant, "vector")) {
    const k = key(s.metric);
    if (wanted.has(k) && s.value) availability.set(k, Number(s.value[1]));
  }
  const buckets = new Map<string, (number | null)[]>();
  for (const s of resultOf<PromSeries>(range, "matrix")) {
    const k = key(s.metric);
    if (!wanted.has(k)) continue;
    const bar: (number | null)[] = new Array(REPLICA_BUCKETS).fill(null);
    for (const [t, v] of s.values ?? []) {
      const i = Math.round((Math.round(t * 1000) - start) / REPLICA_BUCKET_MS);
      if (i >= 0 && i < REPLICA_BUCKETS) bar[i] = Number(v);
    }
    buckets.set(k, bar);
  }
  return { at: now, end, availability, buckets };
}

type CacheEntry = {
  answer?: HistoryAnswer;
  error?: string;
  /** When the entry was last (re)started. */
  started: number;
  pending?: Promise<void>;
};

/**
 * The last history read per view, so every tab's poll every 5 s costs a lookup, not two
 * 24-hour queries; a read is started when the kept one is older than HISTORY_FRESH_MS and
 * waited for only so long (a busy query worker must not hold up the live state).
 */
export class ReplicaHistoryCache {
  private readonly entries = new Map<string, CacheEntry>();
  constructor(private readonly maxEntries = 64) {}

  async read(
    key: string,
    now: number,
    load: () => Promise<HistoryAnswer>,
    waitMs: number,
  ): Promise<CacheEntry> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { started: -Infinity };
      this.entries.set(key, entry);
      while (this.entries.size > this.maxEntries)
        this.entries.delete(this.entries.keys().next().value!);
    }
    if (!entry.pending && now - entry.started >= HISTORY_FRESH_MS) {
      const e = entry;
      e.started = now;
      e.pending = load()
        .then((answer) => {
          e.answer = answer;
          e.error = undefined;
        })
        .catch((err: unknown) => {
          e.error = publicMessage(err);
          // The cleaned message: a datasource URL may carry a user and password.
          logger.warn(
            { context: { reason: e.error } },
            "could not read the replicas' 24 h history",
          );
        })
        .finally(() => {
          e.pending = undefined;
        });
    }
    if (entry.pending) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        entry.pending,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, waitMs);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
    }
    return entry;
  }

  /** Resolves when no read is under way (tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.pending));
  }
}

/** An error for a viewer's eyes: no credentials from a URL, one line, bounded. */
function publicMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text
    .replace(/\/\/[^/\s@]*@/g, "//")
    .replace(/\s+/g, " ")
    .slice(0, 200);
}

const state = globalThis as unknown as { __opsdeckReplicaHistory?: ReplicaHistoryCache };
function sharedCache(): ReplicaHistoryCache {
  state.__opsdeckReplicaHistory ??= new ReplicaHistoryCache();
  return state.__opsdeckReplicaHistory;
}

type Filter = { service: string; environment: string };

function trimError(e: string | null): string | null {
  if (e === null) return null;
  const one = e.replace(/\s+/g, " ").trim();
  return one.length > REPLICA_ERROR_CHARS ? `${one.slice(0, REPLICA_ERROR_CHARS - 1)}…` : one;
}

/** Every replica the filter keeps, in config order, with its health now (no history). */
function replicasNow(mdb: MetricsDb, config: OpsdeckConfig, f: Filter, now: number): ReplicaRow[] {
  return configuredTargets(mdb, config)
    .filter(
      (t) =>
        (!f.service || t.service === f.service) &&
        (!f.environment || t.environment === f.environment),
    )
    .map((t) => {
      const scraped = t.lastScrapeAt !== null && t.health !== "unknown";
      const stale =
        scraped && now - t.lastScrapeAt! > STALE_INTERVALS * t.intervalMs + STALE_SLACK_MS;
      const health: ReplicaHealthName = !scraped ? "unknown" : stale ? "stale" : t.health;
      return {
        job: t.job,
        instance: t.instance,
        service: t.service,
        environment: t.environment,
        health,
        lastResult: scraped ? (t.health as "up" | "down") : null,
        lastScrapeAt: scraped ? new Date(t.lastScrapeAt!).toISOString() : null,
        intervalMs: t.intervalMs,
        lastError: t.health === "down" ? trimError(t.lastError) : null,
        availability: null,
        buckets: [],
      };
    });
}

function countsOf(rows: { health: ReplicaHealthName }[]): ReplicaCounts {
  const c: ReplicaCounts = { up: 0, down: 0, stale: 0, unknown: 0, total: rows.length };
  for (const r of rows) c[r.health]++;
  return c;
}

function refuseWithoutViewer(user: SessionUser): void {
  if (!hasRole(user.role, "viewer")) throw new Error("not allowed");
}

/** Whether a service and environment have scrape targets (the monitor page shows replicas then). */
export function hasReplicas(config: OpsdeckConfig, service: string, environment: string): boolean {
  return config.scrape.targets.some((t) => t.service === service && t.environment === environment);
}

export type ReplicaHealthOptions = {
  now?: number;
  run?: PromRunner;
  cache?: ReplicaHistoryCache;
  waitMs?: number;
};

/**
 * One page of the replicas of a service and environment ("" for every one): each with its
 * health now, its last scrape and error, its availability over 24 h and a bar of the last
 * 24 h; the counts cover every replica the filter keeps.
 */
export async function replicaHealth(
  user: SessionUser,
  mdb: MetricsDb,
  config: OpsdeckConfig,
  spec: Filter & { page: number },
  opts: ReplicaHealthOptions = {},
): Promise<ReplicaHealthView> {
  refuseWithoutViewer(user);
  const now = opts.now ?? Date.now();
  const all = replicasNow(mdb, config, spec, now);
  const page = pageOf(all, spec.page, REPLICAS_PAGE);
  const ds = config.metrics.datasource;
  const history: ReplicaHistory = { at: null, end: null, datasource: ds.type, note: null };
  if (page.items.length > 0) {
    const run = opts.run ?? datasourceRunner(ds);
    const pairs = page.items.map(({ job, instance }) => ({ job, instance }));
    const cacheKey = `${ds.type}\0${pairs.map(pairKey).join("\0\0")}`;
    const entry = await (opts.cache ?? sharedCache()).read(
      cacheKey,
      now,
      () => readReplicaHistory(run, pairs, now),
      opts.waitMs ?? PAGE_HISTORY_WAIT_MS,
    );
    const answer = entry.answer;
    if (answer) {
      history.at = new Date(answer.at).toISOString();
      history.end = new Date(answer.end).toISOString();
      for (const row of page.items) {
        row.availability = answer.availability.get(pairKey(row)) ?? null;
        row.buckets = answer.buckets.get(pairKey(row)) ?? new Array(REPLICA_BUCKETS).fill(null);
      }
    }
    if (entry.error)
      history.note = `The 24 h history could not be read${answer ? " again" : ""}: ${entry.error}`;
    else if (!answer) history.note = "The 24 h history is still being read; it follows shortly.";
  }
  return {
    at: new Date(now).toISOString(),
    key: replicaViewKey({ kind: "replicas", ...spec, page: page.page }),
    service: spec.service,
    environment: spec.environment,
    counts: countsOf(all),
    rows: page.items,
    page: page.page,
    pages: page.pages,
    history,
  };
}

const TROUBLE: ReplicaHealthName[] = ["down", "stale", "unknown"];

/**
 * Each service × environment with scrape targets that the filter keeps, from the state
 * now only (no query): troubled groups first, then config order, at most
 * REPLICA_SUMMARY_GROUPS; `total` says how many there are.
 */
export function replicaSummary(
  user: SessionUser,
  mdb: MetricsDb,
  config: OpsdeckConfig,
  filter: Filter,
  now = Date.now(),
): ReplicaSummaryView {
  refuseWithoutViewer(user);
  const rows = replicasNow(mdb, config, filter, now);
  const groups = new Map<string, { service: string; environment: string; rows: ReplicaRow[] }>();
  for (const r of rows) {
    const k = `${r.service}/${r.environment}`;
    const g = groups.get(k) ?? { service: r.service, environment: r.environment, rows: [] };
    g.rows.push(r);
    groups.set(k, g);
  }
  const all: ReplicaGroup[] = [...groups.values()].map((g) => ({
    service: g.service,
    environment: g.environment,
    counts: countsOf(g.rows),
  }));
  const troubled = (g: ReplicaGroup) => TROUBLE.some((h) => g.counts[h] > 0);
  const bad = all.filter(troubled);
  const ordered = [...bad, ...all.filter((g) => !troubled(g))];
  return {
    at: new Date(now).toISOString(),
    key: replicaViewKey({ kind: "replica-summary", ...filter }),
    groups: ordered.slice(0, REPLICA_SUMMARY_GROUPS),
    total: all.length,
    troubled: bad.length,
    counts: countsOf(rows),
  };
}

/** The replica views a live poll asked for, by key (GET /api/live). */
export async function replicaLiveViews(
  user: SessionUser,
  mdb: MetricsDb,
  config: OpsdeckConfig,
  specs: ReplicaViewSpec[],
  now = Date.now(),
): Promise<Record<string, LiveView>> {
  const views = await Promise.all(
    specs.map((s) =>
      s.kind === "replica-summary"
        ? replicaSummary(user, mdb, config, s, now)
        : replicaHealth(user, mdb, config, s, { now, waitMs: LIVE_HISTORY_WAIT_MS }),
    ),
  );
  return Object.fromEntries(specs.map((s, i) => [replicaViewKey(s), views[i]!]));
}
