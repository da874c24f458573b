import "server-only";

/** At most `requests` per `perMs`, with bursts up to `requests`. */
export type RateLimit = { requests: number; perMs: number };

export type Verdict = { ok: true } | { ok: false; retryAfterMs: number };

type Bucket = { tokens: number; at: number };

/**
 * Token buckets in memory, one per key. Requests reach one thread of one process (the
 * engine's thread serves none), so memory is the cheap, exact place for them: a refused
 * request costs a map lookup and never touches the database, which is what a flood must
 * not reach. The number of keys is capped; the least recently used go first.
 */
export class Buckets {
  readonly #buckets = new Map<string, Bucket>();
  constructor(readonly maxKeys = 10_000) {}

  #current(key: string, limit: RateLimit, now: number): Bucket {
    const rate = limit.requests / limit.perMs;
    const old = this.#buckets.get(key);
    const bucket = old
      ? { tokens: Math.min(limit.requests, old.tokens + (now - old.at) * rate), at: now }
      : { tokens: limit.requests, at: now };
    // Re-inserting keeps the map in least-recently-used order.
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    while (this.#buckets.size > this.maxKeys)
      this.#buckets.delete(this.#buckets.keys().next().value!);
    return bucket;
  }

  /** Takes one request from the key's budget, or says how long until one is free. */
  take(key: string, limit: RateLimit, now: number): Verdict {
    const bucket = this.#current(key, limit, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: ((1 - bucket.tokens) * limit.perMs) / limit.requests };
  }

  /** Whether the key has budget left, without spending any (an unknown key has all of it). */
  peek(key: string, limit: RateLimit, now: number): Verdict {
    if (!this.#buckets.has(key)) return { ok: true };
    const bucket = this.#current(key, limit, now);
    return bucket.tokens >= 1
      ? { ok: true }
      : { ok: false, retryAfterMs: ((1 - bucket.tokens) * limit.perMs) / limit.requests };
  }

  get size(): number {
    return this.#buckets.size;
  }
}

/** One key's refusals within one window, summed for a single audit row. */
export type DenialSummary = {
  limiter: string;
  key: string;
  actor: string;
  ip: string | null;
  from: number;
  to: number;
  counts: Record<string, number>;
};

/**
 * Counts refusals (rate limited, wrong token…) per key and hands each key's window to
 * `write` once, when it has ended: a flood of 5,000 refused requests is one audit row
 * with a count, not 5,000 rows. At most `maxRows` keys get a row of their own per
 * flush; the rest are summed into one row, so the audit log grows by a bounded amount
 * however many addresses an attacker uses.
 */
export class DenialLog {
  readonly #open = new Map<string, DenialSummary>();
  constructor(
    readonly windowMs: number,
    readonly maxRows = 50,
  ) {}

  note(
    entry: { limiter: string; key: string; actor: string; ip: string | null; reason: string },
    now: number,
  ): void {
    const id = `${entry.limiter}\u0000${entry.key}`;
    let open = this.#open.get(id);
    if (!open) {
      open = {
        limiter: entry.limiter,
        key: entry.key,
        actor: entry.actor,
        ip: entry.ip,
        from: now,
        to: now,
        counts: {},
      };
      this.#open.set(id, open);
    }
    open.to = now;
    open.counts[entry.reason] = (open.counts[entry.reason] ?? 0) + 1;
  }

  get pending(): number {
    return this.#open.size;
  }

  /** Hands over every window that has ended by `now` (or every one, with `all`). */
  flush(now: number, write: (summary: DenialSummary) => void, all = false): number {
    const ended: DenialSummary[] = [];
    for (const [id, open] of this.#open) {
      if (!all && now - open.from < this.windowMs) continue;
      this.#open.delete(id);
      ended.push(open);
    }
    const own = ended.slice(0, this.maxRows);
    const rest = ended.slice(this.maxRows);
    for (const s of own) write(s);
    if (rest.length > 0) {
      const counts: Record<string, number> = {};
      for (const s of rest)
        for (const [reason, n] of Object.entries(s.counts))
          counts[reason] = (counts[reason] ?? 0) + n;
      write({
        limiter: rest[0]!.limiter,
        key: `${rest.length} more keys`,
        actor: "anonymous",
        ip: null,
        from: Math.min(...rest.map((s) => s.from)),
        to: Math.max(...rest.map((s) => s.to)),
        counts,
      });
    }
    return ended.length;
  }
}

/** IPv6 clients usually hold a whole /64: one budget per /64, one per IPv4 address. */
export function addressKey(ip: string | null): string {
  if (!ip) return "unknown";
  if (!ip.includes(":")) return ip;
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = ip.includes("::")
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
