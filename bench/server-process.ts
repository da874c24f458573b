// Shared by the uptime benchmarks: start the production build of Opsdeck as a child
// process on 127.0.0.1, sign in like a browser, read a process's CPU time and memory
// from /proc, and stop it again.
import { fork, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const serverBundle = (root: string) => path.join(root, ".next", "opsdeck-server.mjs");
export const SERVER_BUNDLE = serverBundle(ROOT);
export const ADMIN = { email: "bench@opsdeck.test", password: "bench-admin-password" };

/** The benchmarks measure the build as it is; building is the caller's job. */
export function requireBuild(root = ROOT): void {
  if (!fs.existsSync(serverBundle(root))) {
    console.error(
      `${serverBundle(root)} is missing: run \`npm run build\` there first (this benchmark measures an existing production build).`,
    );
    process.exit(1);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export type Opsdeck = {
  child: ChildProcess;
  pid: number;
  url: string;
  logFile: string;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `node .next/opsdeck-server.mjs` with its own port, data dir and config, and
 * resolves once /api/health answers. The admin comes from OPSDECK_ADMIN_* (created at start).
 */
export async function startOpsdeck(opts: {
  dataDir: string;
  config: string;
  logFile: string;
  logLevel?: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Another checkout's production build (e.g. an older commit, to compare); this one by default. */
  root?: string;
}): Promise<Opsdeck> {
  const root = opts.root ?? ROOT;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // The caller's own Opsdeck settings (a metrics token, another data dir) must not leak in.
    if (!k.startsWith("OPSDECK_") && k !== "NODE_OPTIONS" && !k.startsWith("SENTRY_")) env[k] = v;
  }
  Object.assign(env, {
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    OPSDECK_URL: url,
    OPSDECK_CONFIG: opts.config,
    OPSDECK_DATA_DIR: opts.dataDir,
    OPSDECK_ADMIN_EMAIL: ADMIN.email,
    OPSDECK_ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: opts.logLevel ?? "warn",
  });
  const log = fs.openSync(opts.logFile, "a");
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), serverBundle(root)], {
    cwd: root,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", log, log],
  });
  fs.closeSync(log);
  let exited: string | null = null;
  child.once("exit", (code, signal) => (exited = `exited (${signal ?? code})`));
  const running: Opsdeck = { child, pid: child.pid!, url, logFile: opts.logFile };

  const deadline = Date.now() + 180_000;
  for (;;) {
    if (exited) throw new Error(`Opsdeck ${exited} while starting:\n${logTail(opts.logFile)}`);
    try {
      const res = await fetch(`${url}/api/health`);
      await res.arrayBuffer();
      return running;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopOpsdeck(running);
      throw new Error(`Opsdeck did not answer within 180 s:\n${logTail(opts.logFile)}`);
    }
    await sleep(100);
  }
}

export function logTail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** SIGTERM (a graceful stop), then SIGKILL if it has not exited after `graceMs`. */
export async function stopOpsdeck(o: Opsdeck, graceMs = 15_000): Promise<void> {
  await stopChild(o.child, graceMs);
}

export async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await gone;
  clearTimeout(timer);
}

/** Signs in with the password form's flow; returns the Cookie header for later requests. */
export async function signIn(url: string, email: string, password: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1));
    }
  };
  const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const csrf = await fetch(`${url}/api/auth/csrf`);
  keep(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: header() },
    body: new URLSearchParams({ email, password, csrfToken, json: "true", callbackUrl: url }),
  });
  keep(res);
  await res.arrayBuffer();
  if (!jar.has("next-auth.session-token")) {
    throw new Error(`sign-in failed (HTTP ${res.status}, no session cookie)`);
  }
  return header();
}

/** The process and every descendant (Next may start helpers), from /proc. */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(name));
      parents.set(ppid, list);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of parents.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * User + system CPU seconds a process has used so far (utime + stime from /proc/<pid>/stat;
 * one thread's from /proc/<pid>/task/<tid>/stat).
 */
export function cpuSeconds(pid: number, statFile = `/proc/${pid}/stat`): number {
  try {
    const stat = fs.readFileSync(statFile, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of stat(5); index 0 here is field 3 (state).
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Resident set size in bytes (VmRSS from /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

export type LatencyStats = { n: number; median: number; p95: number; p99: number; max: number };

/** Nearest-rank median, p95, p99 and max, to 0.1; null when there are no samples. */
export function latencyStats(samples: number[]): LatencyStats | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: round1(percentile(sorted, 0.5)),
    p95: round1(percentile(sorted, 0.95)),
    p99: round1(percentile(sorted, 0.99)),
    max: round1(sorted.at(-1)!),
  };
}

/**
 * How late each check reached the target (bench/target-server.mjs's arrivals by URL). A
 * monitor is checked at T + k × interval; its earliest-on-schedule arrival in the window
 * stands for T (the tick and the request's own time), and every other check's lateness is
 * how much later than that it arrived. URLs under /down/ and with fewer than 3 arrivals
 * are left out.
 */
export function arrivalLateness(arrivals: Record<string, number[]>, intervalMs: number): number[] {
  const out: number[] = [];
  for (const [url, times] of Object.entries(arrivals)) {
    if (url.startsWith("/down/") || times.length < 3) continue;
    const first = times[0]!;
    const offsets = times.map((t) => {
      const k = Math.round((t - first) / intervalMs);
      return t - first - k * intervalMs;
    });
    const best = Math.min(...offsets);
    for (const o of offsets) out.push(o - best);
  }
  return out;
}

export function percentile(sortedAsc: number[], q: number): number {
  // Nearest rank: the smallest sample with at least q of the samples at or below it.
  const rank = Math.max(1, Math.ceil(q * sortedAsc.length));
  return sortedAsc[rank - 1]!;
}

export const round1 = (v: number) => Math.round(v * 10) / 10;

export type Histogram = { buckets: [number, number][]; sum: number; count: number };

/**
 * One Prometheus histogram from a /metrics text: cumulative buckets (upper bound, count),
 * sum and count, over the series whose labels contain `labels` (e.g. `route="/"`).
 */
export function histogramFrom(text: string, name: string, labels = ""): Histogram {
  const byLe = new Map<number, number>();
  let sum = 0;
  let count = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name) || !line.includes(labels)) continue;
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    const le = /^[a-z_]+_bucket\{.*le="([^"]+)"/.exec(line)?.[1];
    if (le !== undefined && line.startsWith(`${name}_bucket`)) {
      const bound = le === "+Inf" ? Infinity : Number(le);
      byLe.set(bound, (byLe.get(bound) ?? 0) + value);
    } else if (line.startsWith(`${name}_sum`)) sum += value;
    else if (line.startsWith(`${name}_count`)) count += value;
  }
  const buckets = [...byLe].sort((a, b) => a[0] - b[0]);
  return { buckets, sum, count };
}

/** What a histogram counted between two scrapes. */
export function histogramDelta(start: Histogram, end: Histogram): Histogram {
  return {
    buckets: end.buckets.map(([le, n]) => [
      le,
      n - (start.buckets.find(([l]) => l === le)?.[1] ?? 0),
    ]),
    sum: end.sum - start.sum,
    count: end.count - start.count,
  };
}

/** Like PromQL's histogram_quantile over cumulative buckets; seconds, or null when empty. */
export function histogramQuantile(q: number, buckets: [number, number][]): number | null {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCum = 0;
  for (const [le, cum] of buckets) {
    if (cum >= rank) {
      // In the open-ended bucket Prometheus answers with the highest finite bound.
      if (le === Infinity) return prevLe;
      return prevLe + (le - prevLe) * ((rank - prevCum) / Math.max(1e-9, cum - prevCum));
    }
    prevLe = le;
    prevCum = cum;
  }
  return prevLe;
}

/** Starts bench/target-server.mjs (its own process, so its CPU is not Opsdeck's). */
export async function forkTarget(
  maxSeconds: number,
): Promise<{ child: ChildProcess; port: number }> {
  const { child, ready } = await forkReady<{ port?: number }>(
    path.join(ROOT, "bench", "target-server.mjs"),
    ["--max-seconds", String(maxSeconds)],
    (m) => Boolean(m.port),
  );
  return { child, port: ready.port! };
}

/**
 * Forks a helper process (a `.ts` one through tsx) and resolves with its first IPC message
 * of type "ready" that `accept` takes.
 */
export function forkReady<T>(
  file: string,
  args: string[],
  accept: (m: T) => boolean = () => true,
): Promise<{ child: ChildProcess; ready: T }> {
  const child = fork(file, args, {
    cwd: ROOT,
    execArgv: file.endsWith(".ts") ? ["--import", "tsx"] : [],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${path.basename(file)} exited (${code})`)));
    child.on("message", (m: T & { type?: string }) => {
      if (m.type === "ready" && accept(m)) resolve({ child, ready: m });
    });
  });
}

/** One question to the target server over IPC: "stats" or "arrivals". */
export function askTarget<T>(child: ChildProcess, type: "stats" | "arrivals"): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (m: { type?: string }) => {
      if (m.type !== type) return;
      child.off("message", onMessage);
      resolve(m as T);
    };
    child.on("message", onMessage);
    child.send({ type });
  });
}
