// The parser against the reference: every query of ./parse-cases.ts, and mutations of
// them, sent to a real Prometheus 2.42. Our parser must accept exactly the queries it
// accepts, print them as it does, and refuse the others with its message.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasPrometheus, startPrometheus } from "@/test/prometheus-server";
import { INVALID_QUERIES, VALID_QUERIES } from "./parse-cases";
import { parseExpr, PromQLParseError } from "./parse";
import { prettyExpr } from "./print";

const available = hasPrometheus();
if (!available && process.env.CI) {
  throw new Error("/usr/bin/prometheus is required on CI for the PromQL differential tests");
}
if (!available) {
  console.warn("skipping the PromQL differential tests: /usr/bin/prometheus is not installed");
}

type Answer = { ok: true; text: string } | { ok: false; text: string };

function ours(query: string): Answer {
  try {
    return { ok: true, text: prettyExpr(parseExpr(query)) };
  } catch (err) {
    if (err instanceof PromQLParseError) return { ok: false, text: err.message };
    throw err;
  }
}

const API_PREFIX = 'invalid parameter "query": ';

async function post(url: string, form: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: "POST", body: new URLSearchParams(form) });
  return (await res.json()) as Record<string, unknown>;
}

async function theirs(url: string, query: string): Promise<Answer> {
  // Acceptance as a query (the engine's own path); a parse error is bad_data, anything
  // else (an execution error on the empty database) means the query parsed.
  const run = await post(`${url}/api/v1/query`, { query, time: "1000" });
  const refused = run.status === "error" && run.errorType === "bad_data";
  const formatted = await post(`${url}/api/v1/format_query`, { query });
  if (!refused) return { ok: true, text: String(formatted.data) };
  return { ok: false, text: String(run.error).replace(API_PREFIX, "") };
}

// Deterministic mutations of known queries: a character deleted, doubled or swapped
// with its neighbour, or a piece of another query spliced in.
function mutations(seed: number, count: number): string[] {
  let state = seed;
  const rand = (n: number) => {
    // mulberry32: a small generator whose low bits do not cycle.
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const pool = [...VALID_QUERIES.map(([q]) => q), ...INVALID_QUERIES.map(([q]) => q)].filter(
    (q) => q.length > 1 && q.length < 120,
  );
  const out = new Set<string>();
  while (out.size < count) {
    const q = pool[rand(pool.length)]!;
    const i = rand(q.length);
    switch (rand(4)) {
      case 0:
        out.add(q.slice(0, i) + q.slice(i + 1));
        break;
      case 1:
        out.add(q.slice(0, i) + q[i] + q.slice(i));
        break;
      case 2:
        out.add(q.slice(0, i) + (q[i + 1] ?? "") + q[i] + q.slice(i + 2));
        break;
      default: {
        const other = pool[rand(pool.length)]!;
        const j = rand(other.length);
        out.add(q.slice(0, i) + other.slice(j, j + 1 + rand(8)) + q.slice(i));
      }
    }
  }
  return [...out];
}

describe.skipIf(!available)("parser against Prometheus 2.42", () => {
  let server: { url: string; stop(): Promise<void> };

  beforeAll(async () => {
    server = await startPrometheus({});
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  async function mismatches(queries: string[]) {
    const found: { query: string; prometheus: Answer; opsdeck: Answer }[] = [];
    for (const query of queries) {
      const prometheus = await theirs(server.url, query);
      const opsdeck = ours(query);
      if (prometheus.ok !== opsdeck.ok || prometheus.text !== opsdeck.text) {
        found.push({ query, prometheus, opsdeck });
      }
    }
    return found;
  }

  it("accepts and prints the valid queries as Prometheus does", async () => {
    const queries = VALID_QUERIES.map(([q]) => q);
    expect(await mismatches(queries)).toEqual([]);
  }, 120_000);

  it("refuses the invalid queries with Prometheus's messages", async () => {
    const queries = INVALID_QUERIES.map(([q]) => q);
    expect(await mismatches(queries)).toEqual([]);
  }, 120_000);

  it("agrees on 400 mutated queries", async () => {
    expect(await mismatches(mutations(42, 400))).toEqual([]);
  }, 120_000);
});
