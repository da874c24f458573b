// The backup benchmark's source database: an application's SQLite file in WAL mode with
// users, devices and a large events table (JSON log payloads: repetitive keys and words
// that compress well, mixed with ids, tokens and hashes that do not), filled with
// prepared statements in large transactions until it reaches the requested size.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import Database from "better-sqlite3";

export type DataReport = {
  file: string;
  bytes: number;
  users: number;
  devices: number;
  events: number;
  seconds: number;
  reused: boolean;
};

const SCHEMA = `
create table users (
  id integer primary key,
  email text not null unique,
  name text not null,
  role text not null,
  password_hash text not null,
  settings text not null,
  created_at integer not null
);
create table devices (
  id integer primary key,
  user_id integer not null references users (id),
  serial text not null,
  model text not null,
  firmware text not null,
  ip text not null,
  api_token text not null,
  last_seen integer not null
);
create index devices_user on devices (user_id);
create table events (
  id integer primary key,
  at integer not null,
  device_id integer,
  level text,
  kind text,
  payload text
);
create index events_device_at on events (device_id, at);
create table counter (id integer primary key check (id = 1), n integer);
create table bench_meta (key text primary key, value integer not null);
`;

const WORDS = (
  "request completed started failed retry timeout upstream cache miss hit user session " +
  "token refreshed expired payment order created updated deleted shipped invoice sent " +
  "email queued delivered bounced device heartbeat firmware update applied rollback " +
  "connection pool exhausted slow query detected index scan rows returned job scheduled " +
  "worker picked lease renewed lost webhook received signature verified rejected rate " +
  "limit exceeded quota warning disk usage high memory pressure gc pause latency p99 " +
  "budget region primary replica failover healthy degraded unreachable resolved alert " +
  "fired acknowledged escalated the a of for with from to in on after before while"
).split(" ");
const SERVICES = ["checkout", "payments", "auth", "search", "inventory", "notifications"];
const SERVICES_MORE = ["gateway", "billing", "devices", "reports", "scheduler", "webhooks"];
const ALL_SERVICES = [...SERVICES, ...SERVICES_MORE];
const ROUTES = [
  "/api/v2/orders/",
  "/api/v2/users/",
  "/api/v2/devices/",
  "/api/v1/payments/",
  "/api/v1/search?q=",
  "/internal/jobs/",
  "/webhooks/stripe/",
  "/api/v2/invoices/",
];
const AGENTS = [
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  "okhttp/4.12.0",
  "Go-http-client/2.0",
  "opsdeck-agent/1.8.3 (linux; arm64)",
  "curl/8.5.0",
];
const LEVELS = ["debug", "info", "info", "info", "info", "warn", "error"];
const KINDS = ["http", "job", "device", "auth", "billing"];
const MODELS = ["OD-100", "OD-200", "OD-200X", "Sensor Mini", "Gateway Pro"];
const FIRMWARE = ["3.14.2", "3.14.3", "3.15.0", "4.0.0-rc2", "4.0.1"];
const FIRST = ["ada", "grace", "alan", "linus", "margaret", "ken", "barbara", "edsger", "frances"];
const LAST = ["lovelace", "hopper", "turing", "torvalds", "hamilton", "thompson", "liskov"];

/** Random bytes read from a 16 MiB pool: far apart for gzip's 32 KiB window, so they stay incompressible. */
class Noise {
  private pool = randomBytes(1 << 24);
  private at(n: number) {
    return Math.floor(Math.random() * (this.pool.length - n));
  }
  hex(bytes: number) {
    const o = this.at(bytes);
    return this.pool.toString("hex", o, o + bytes);
  }
  b64(bytes: number) {
    const o = this.at(bytes);
    return this.pool.toString("base64url", o, o + bytes);
  }
}

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
const int = (n: number) => Math.floor(Math.random() * n);

function sentence(): string {
  const n = 5 + int(9);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(pick(WORDS));
  return words.join(" ");
}

function payload(noise: Noise, level: string, kind: string): string {
  const route = pick(ROUTES);
  const status =
    level === "error" ? pick([500, 502, 503, 504]) : pick([200, 200, 200, 201, 204, 404]);
  return JSON.stringify({
    service: pick(ALL_SERVICES),
    level,
    kind,
    msg: sentence(),
    route: `${route}${int(100_000)}`,
    method: pick(["GET", "GET", "GET", "POST", "PUT", "DELETE"]),
    status,
    duration_ms: Math.round(Math.exp(3 + Math.random() * 2.5)),
    trace_id: noise.hex(16),
    span_id: noise.hex(8),
    ip: `10.${int(256)}.${int(256)}.${int(256)}`,
    user_agent: pick(AGENTS),
    attrs: {
      region: pick(["eu-west-1", "us-east-1", "ap-south-1"]),
      retry: int(3),
      sig: noise.b64(24),
    },
  });
}

/** Generates the database at `file` (which must not exist) until it is about `targetBytes`. */
export function generateDatabase(
  file: string,
  targetBytes: number,
  onProgress?: (bytes: number) => void,
): DataReport {
  const started = performance.now();
  const noise = new Noise();
  const db = new Database(file);
  try {
    db.pragma("page_size = 4096");
    // Fastest while filling; the file is switched to WAL at the end.
    db.pragma("journal_mode = OFF");
    db.pragma("synchronous = OFF");
    db.pragma("cache_size = -262144");
    db.exec(SCHEMA);
    const scale = targetBytes / 2 ** 30;
    const users = Math.max(100, Math.round(20_000 * scale));
    const devices = Math.max(500, Math.round(100_000 * scale));
    const now = Date.now();

    const insertUser = db.prepare(
      "insert into users (id, email, name, role, password_hash, settings, created_at) values (?, ?, ?, ?, ?, ?, ?)",
    );
    db.transaction(() => {
      for (let id = 1; id <= users; id++) {
        const first = pick(FIRST);
        const last = pick(LAST);
        insertUser.run(
          id,
          `${first}.${last}.${id}@example.com`,
          `${first[0]!.toUpperCase()}${first.slice(1)} ${last[0]!.toUpperCase()}${last.slice(1)}`,
          pick(["viewer", "viewer", "operator", "admin"]),
          `$argon2id$v=19$m=19456,t=2,p=1$${noise.b64(16)}$${noise.b64(32)}`,
          JSON.stringify({
            theme: pick(["dark", "light", "system"]),
            tz: "Europe/Berlin",
            digest: "daily",
          }),
          now - int(400 * 86_400_000),
        );
      }
    })();

    const insertDevice = db.prepare(
      "insert into devices (id, user_id, serial, model, firmware, ip, api_token, last_seen) values (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    db.transaction(() => {
      for (let id = 1; id <= devices; id++) {
        insertDevice.run(
          id,
          1 + int(users),
          noise.hex(8).toUpperCase(),
          pick(MODELS),
          pick(FIRMWARE),
          `192.168.${int(256)}.${int(256)}`,
          noise.b64(32),
          now - int(7 * 86_400_000),
        );
      }
    })();

    const insertEvent = db.prepare(
      "insert into events (at, device_id, level, kind, payload) values (?, ?, ?, ?, ?)",
    );
    const pageSize = db.pragma("page_size", { simple: true }) as number;
    const pages = db.prepare("pragma page_count").pluck();
    let at = now - 30 * 86_400_000;
    let events = 0;
    const batch = db.transaction((n: number) => {
      for (let i = 0; i < n; i++) {
        const level = pick(LEVELS);
        const kind = pick(KINDS);
        at += int(400);
        insertEvent.run(at, 1 + int(devices), level, kind, payload(noise, level, kind));
      }
    });
    while ((pages.get() as number) * pageSize < targetBytes) {
      batch(20_000);
      events += 20_000;
      onProgress?.((pages.get() as number) * pageSize);
    }
    db.prepare("insert into counter values (1, ?)").run(events);
    db.prepare("insert into bench_meta values ('events', ?), ('max_event_id', ?)").run(
      events,
      events,
    );
    db.pragma("journal_mode = WAL");
    return {
      file,
      bytes: fs.statSync(file).size,
      users,
      devices,
      events,
      seconds: (performance.now() - started) / 1000,
      reused: false,
    };
  } finally {
    db.close();
  }
}

/**
 * Opens a database kept from an earlier run: if it is one of ours, within 10 % of the
 * requested size and in WAL mode, removes what earlier writers added (so every run
 * backs up the same data) and returns its figures; otherwise returns undefined.
 */
export function reuseDatabase(file: string, targetBytes: number): DataReport | undefined {
  if (!fs.existsSync(file)) return undefined;
  const size = fs.statSync(file).size;
  if (Math.abs(size - targetBytes) > 0.1 * targetBytes) return undefined;
  const started = performance.now();
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    if (db.pragma("journal_mode", { simple: true }) !== "wal") return undefined;
    const meta = Object.fromEntries(
      (
        db.prepare("select key, value from bench_meta").all() as { key: string; value: number }[]
      ).map((r) => [r.key, r.value]),
    );
    const maxId = meta.max_event_id;
    if (typeof maxId !== "number") return undefined;
    db.transaction(() => {
      db!.prepare("delete from events where id > ?").run(maxId);
      db!.prepare("update counter set n = ? where id = 1").run(meta.events);
    })();
    db.pragma("wal_checkpoint(TRUNCATE)");
    const count = (sql: string) => db!.prepare(sql).pluck().get() as number;
    return {
      file,
      bytes: fs.statSync(file).size,
      users: count("select count(*) from users"),
      devices: count("select count(*) from devices"),
      events: meta.events ?? 0,
      seconds: (performance.now() - started) / 1000,
      reused: true,
    };
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}
