// One synthetic scrape target for the metrics benchmarks: 1,000 series in the Prometheus
// text format (0.0.4), seeded and repeatable, every scrape a step further. The mix is
// what a busy service exposes, and harsher than most: nearly every value changes on every
// scrape (a real target has many series that sit still, which cost Gorilla chunks a bit
// or two a sample).
//   140  10 histograms (11 buckets + +Inf, _sum, _count) of request latency per route
//   430  counters: integer request/query/event counts (some idle for minutes), byte
//        counts, float CPU and busy seconds
//   430  gauges: integer depths and pools that wander, byte sizes in pages, full-precision
//        ratios, one-decimal temperatures, millisecond lags, a timestamp, 20 constants
import { mulberry32 } from "@/lib/seeded-random";

export const SERIES_PER_TARGET = 1000;
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const ROUTES = Array.from({ length: 10 }, (_, i) => `/api/r${i}`);
const CODES = ["200", "201", "304", "400", "404", "500"];
/** Share of a route's requests answered with each code. */
const CODE_SHARE = [0.8, 0.08, 0.06, 0.03, 0.025, 0.005];

type Series = { name: string; labels: string; value: number; step: (v: number) => number };
type Family = { name: string; type: "counter" | "gauge" | "histogram"; help: string };

const range = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, "0")}`);

/** A Prometheus number: JS's shortest round-trip form parses back to the same float. */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

/**
 * One target's series. `scrape(t)` advances every value by one scrape interval and
 * returns the body; the same seed gives the same bodies in the same order.
 */
export class BenchTarget {
  private readonly random: () => number;
  private readonly families: { family: Family; series: Series[] }[] = [];
  private readonly histograms: {
    route: number;
    buckets: number[];
    sum: number;
    count: number;
  }[] = [];
  /** Requests per route in the scrape being built (drives counters and histograms alike). */
  private routeRequests = new Array<number>(ROUTES.length).fill(0);
  private scrapes = 0;

  constructor(
    seed: number,
    private readonly intervalSeconds = 15,
  ) {
    this.random = mulberry32(seed);
    this.build();
  }

  get seriesCount(): number {
    return (
      this.families.reduce((n, f) => n + f.series.length, 0) +
      this.histograms.length * (LATENCY_BUCKETS.length + 3)
    );
  }

  /** The next scrape's body; `t` (epoch ms) only moves the timestamp gauge. */
  scrape(t: number): string {
    this.scrapes++;
    this.stepRequests();
    const out: string[] = [];
    for (const h of this.histograms) this.observe(h);
    out.push(
      "# HELP bench_http_request_duration_seconds Request latency.",
      "# TYPE bench_http_request_duration_seconds histogram",
    );
    for (const h of this.histograms) {
      const route = `route="${ROUTES[h.route]}"`;
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((le, i) => {
        cumulative += h.buckets[i]!;
        out.push(`bench_http_request_duration_seconds_bucket{${route},le="${le}"} ${cumulative}`);
      });
      out.push(`bench_http_request_duration_seconds_bucket{${route},le="+Inf"} ${h.count}`);
      out.push(`bench_http_request_duration_seconds_sum{${route}} ${formatValue(h.sum)}`);
      out.push(`bench_http_request_duration_seconds_count{${route}} ${h.count}`);
    }
    for (const { family, series } of this.families) {
      out.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
      for (const s of series) {
        s.value =
          family.name === "bench_last_success_timestamp_seconds" ? t / 1000 : s.step(s.value);
        out.push(`${s.name}{${s.labels}} ${formatValue(s.value)}`);
      }
    }
    return out.join("\n") + "\n";
  }

  private stepRequests(): void {
    this.routeRequests = ROUTES.map((_, r) => {
      // Routes from ~0.3 to ~30 requests a second, with a slow daily-ish swing.
      const base = 0.3 * 1.6 ** r;
      const swing = 1 + 0.5 * Math.sin((this.scrapes / 5760) * 2 * Math.PI + r);
      return this.poisson(base * swing * this.intervalSeconds);
    });
  }

  private observe(h: (typeof this.histograms)[number]): void {
    const n = this.routeRequests[h.route]!;
    const median = 0.02 * (1 + h.route / 3);
    for (let i = 0; i < n; i++) {
      // Log-normal latency, with a rare slow tail.
      const z = Math.sqrt(-2 * Math.log(1 - this.random())) * Math.cos(2 * Math.PI * this.random());
      const v = median * Math.exp(0.6 * z) * (this.random() < 0.005 ? 20 : 1);
      const b = LATENCY_BUCKETS.findIndex((le) => v <= le);
      if (b >= 0) h.buckets[b]!++;
      h.sum += v;
      h.count++;
    }
  }

  private poisson(mean: number): number {
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.gauss()));
    let k = 0;
    for (let p = Math.exp(-mean), s = p, u = this.random(); u > s; k++) {
      p *= mean / (k + 1);
      s += p;
    }
    return k;
  }

  private gauss(): number {
    return Math.sqrt(-2 * Math.log(1 - this.random())) * Math.cos(2 * Math.PI * this.random());
  }

  private family(
    name: string,
    type: "counter" | "gauge",
    help: string,
    labelSets: string[],
    start: (i: number) => number,
    step: (v: number, i: number) => number,
  ): void {
    this.families.push({
      family: { name, type, help },
      series: labelSets.map((labels, i) => ({
        name,
        labels,
        value: start(i),
        step: (v) => step(v, i),
      })),
    });
  }

  private build(): void {
    const r = this.random;
    const walk = (v: number, spread: number, min = 0) =>
      Math.max(min, v + Math.round((r() - 0.5) * spread));
    this.histograms.push(
      ...ROUTES.map((_, route) => ({
        route,
        buckets: new Array<number>(LATENCY_BUCKETS.length).fill(0),
        sum: 0,
        count: 0,
      })),
    );

    // Counters: 430.
    const routeCode = ROUTES.flatMap((route) => CODES.map((code) => ({ route, code })));
    this.family(
      "bench_http_requests_total",
      "counter",
      "Requests answered.",
      routeCode.map((x) => `route="${x.route}",code="${x.code}"`),
      () => 0,
      (v, i) => {
        const route = Math.floor(i / CODES.length);
        const share = CODE_SHARE[i % CODES.length]!;
        return v + this.poisson(this.routeRequests[route]! * share);
      },
    );
    this.family(
      "bench_http_response_bytes_total",
      "counter",
      "Bytes sent.",
      ROUTES.map((route) => `route="${route}"`),
      () => 0,
      (v, i) => v + this.routeRequests[i]! * (800 + Math.floor(r() * 4000)),
    );
    this.family(
      "bench_queue_jobs_processed_total",
      "counter",
      "Jobs processed.",
      range(20, "q").flatMap((q) => [`queue="${q}",status="ok"`, `queue="${q}",status="failed"`]),
      () => 0,
      (v, i) => v + this.poisson(i % 2 ? 0.05 : 1 + (i % 7)),
    );
    this.family(
      "bench_cache_operations_total",
      "counter",
      "Cache operations.",
      range(10, "c").flatMap((c) =>
        ["get", "set", "miss", "evict"].map((op) => `cache="${c}",op="${op}"`),
      ),
      () => 0,
      (v, i) => v + this.poisson([200, 20, 15, 2][i % 4]!),
    );
    this.family(
      "bench_db_queries_total",
      "counter",
      "Queries run.",
      range(25, "t").flatMap((t) =>
        ["select", "insert", "update", "delete"].map((op) => `table="${t}",op="${op}"`),
      ),
      () => 0,
      (v, i) => v + this.poisson([60, 6, 4, 0.2][i % 4]! * (1 + (i % 5))),
    );
    this.family(
      "bench_process_cpu_seconds_total",
      "counter",
      "CPU time.",
      ['mode="user"', 'mode="system"'],
      () => 0,
      (v, i) => v + (i ? 0.3 : 1.2) * r(),
    );
    this.family(
      "bench_worker_busy_seconds_total",
      "counter",
      "Time workers were busy.",
      range(48, "w").map((w) => `worker="${w}"`),
      () => 0,
      (v) => v + this.intervalSeconds * r() * r(),
    );
    this.family(
      "bench_network_bytes_total",
      "counter",
      "Network traffic.",
      range(5, "eth").flatMap((d) => [
        `device="${d}",direction="rx"`,
        `device="${d}",direction="tx"`,
      ]),
      () => Math.floor(r() * 1e12),
      (v) => v + Math.floor(r() * 5e7),
    );
    this.family(
      "bench_events_total",
      "counter",
      "Events seen.",
      range(120, "e").map((e) => `kind="${e}"`),
      () => 0,
      // Most kinds are rare: many scrapes add nothing, as on a real service.
      (v, i) => v + this.poisson(0.02 * (1 + (i % 40))),
    );

    // Gauges: 430.
    this.family(
      "bench_queue_depth",
      "gauge",
      "Jobs waiting.",
      range(20, "q").map((q) => `queue="${q}"`),
      () => Math.floor(r() * 50),
      (v) => walk(v, 10),
    );
    this.family(
      "bench_connections_open",
      "gauge",
      "Open connections.",
      range(30, "p").map((p) => `pool="${p}"`),
      () => Math.floor(r() * 100),
      (v) => walk(v, 6),
    );
    this.family(
      "bench_memory_bytes",
      "gauge",
      "Memory in use.",
      range(20, "a").map((a) => `area="${a}"`),
      () => 4096 * Math.floor(r() * 1e6),
      (v) => Math.max(0, v + 4096 * Math.round((r() - 0.5) * 2000)),
    );
    this.family(
      "bench_temperature_celsius",
      "gauge",
      "Sensor temperature.",
      range(20, "s").map((s) => `sensor="${s}"`),
      () => 40 + Math.round(r() * 200) / 10,
      (v) => Math.round((v + (r() - 0.5)) * 10) / 10,
    );
    this.family(
      "bench_load_ratio",
      "gauge",
      "Load per core.",
      range(40, "cpu").map((c) => `core="${c}"`),
      () => r(),
      () => r(),
    );
    this.family(
      "bench_threads",
      "gauge",
      "Threads per pool.",
      range(30, "p").map((p) => `pool="${p}"`),
      () => 8 + Math.floor(r() * 56),
      (v) => walk(v, 3, 1),
    );
    this.family(
      "bench_cache_entries",
      "gauge",
      "Entries per cache.",
      range(10, "c").map((c) => `cache="${c}"`),
      () => Math.floor(r() * 1e5),
      (v) => walk(v, 500),
    );
    this.family(
      "bench_last_success_timestamp_seconds",
      "gauge",
      "When each job last succeeded.",
      range(40, "j").map((j) => `job_name="${j}"`),
      () => 0,
      (v) => v,
    );
    this.family(
      "bench_disk_free_bytes",
      "gauge",
      "Free disk space.",
      range(20, "m").map((m) => `mount="/mnt/${m}"`),
      () => 4096 * Math.floor(r() * 1e8),
      (v) => Math.max(0, v - 4096 * Math.floor(r() * 300)),
    );
    this.family(
      "bench_replica_lag_seconds",
      "gauge",
      "Replication lag.",
      range(50, "r").map((x) => `replica="${x}"`),
      () => 0,
      () => Math.floor(r() * r() * 2000) / 1000,
    );
    this.family(
      "bench_pool_utilisation_ratio",
      "gauge",
      "Busy share of each pool.",
      range(50, "p").map((p) => `pool="${p}"`),
      () => 0,
      () => Math.floor(r() * 33) / 32,
    );
    this.family(
      "bench_build_info",
      "gauge",
      "Build.",
      ['version="1.4.2",revision="3f2a9c1"'],
      () => 1,
      (v) => v,
    );
    this.family(
      "bench_config_limit",
      "gauge",
      "Configured limits (constant).",
      range(19, "l").map((l) => `limit="${l}"`),
      (i) => 2 ** (4 + (i % 12)),
      (v) => v,
    );
    this.family(
      "bench_sessions_active",
      "gauge",
      "Sessions per region.",
      range(80, "region").map((x) => `region="${x}"`),
      () => Math.floor(r() * 5000),
      (v) => walk(v, 80),
    );
  }
}
