// Shared by the uptime benchmarks: start the production build of Opsdeck as a child
// process on 127.0.0.1, sign in like a browser, read a process's CPU time and memory
// from /proc, and stop it again.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const SERVER_BUNDLE = path.join(ROOT, ".next", "opsdeck-server.mjs");
export const ADMIN = { email: "bench@opsdeck.test", password: "bench-admin-password" };

/** The benchmarks measure the build as it is; building is the caller's job. */
export function requireBuild(): void {
  if (!fs.existsSync(SERVER_BUNDLE)) {
    console.error(
      `${path.relative(ROOT, SERVER_BUNDLE)} is missing: run \`npm run build\` first (this benchmark measures an existing production build).`,
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
}): Promise<Opsdeck> {
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
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), SERVER_BUNDLE], {
    cwd: ROOT,
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

/** User + system CPU seconds a process has used so far (utime + stime from /proc/<pid>/stat). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
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

export function percentile(sortedAsc: number[], q: number): number {
  // Nearest rank: the smallest sample with at least q of the samples at or below it.
  const rank = Math.max(1, Math.ceil(q * sortedAsc.length));
  return sortedAsc[rank - 1]!;
}

export const round1 = (v: number) => Math.round(v * 10) / 10;
