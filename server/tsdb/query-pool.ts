import "server-only";
import fs from "node:fs";
import path from "node:path";
import { SHARE_ENV, Worker } from "node:worker_threads";
import { env } from "@/env";
import { logger } from "@/server/logger";
import { PromApiError } from "./prom-errors";
import { parseDurationParam, QUERY_TIMEOUT_MS } from "./prom-api";
import type { QueryReply, QueryRequest } from "./query-protocol";

/** Queries waiting beyond this are refused (503) rather than queued without end. */
const MAX_WAITING = 32;
/** Past its own deadline plus this, a query's worker is terminated and started again. */
const GRACE_MS = 2000;

type Pending = {
  request: QueryRequest;
  timeoutMs: number;
  resolve: (reply: QueryReply) => void;
  reject: (err: Error) => void;
};

function workerModule(): string {
  const file =
    env.NODE_ENV === "production"
      ? path.join(process.cwd(), ".next", "opsdeck-query.mjs")
      : path.join(process.cwd(), "node_modules", ".cache", "opsdeck", "query.mjs");
  if (!fs.existsSync(file))
    throw new Error(
      `${file} is missing: run \`${env.NODE_ENV === "production" ? "npm run build" : "npm run dev"}\`, which makes it.`,
    );
  return file;
}

/**
 * One worker thread that evaluates PromQL, one query at a time, in arrival order. A query
 * that outlives its timeout is cut off by terminating the worker (evaluation cannot be
 * interrupted from outside), so no query holds it longer than its timeout.
 */
class QueryPool {
  private worker: Worker | undefined;
  private busy: (Pending & { timer: NodeJS.Timeout }) | undefined;
  private readonly waiting: Pending[] = [];
  private nextId = 1;

  run(kind: QueryRequest["kind"], params: URLSearchParams, timeoutMs: number): Promise<QueryReply> {
    if (this.waiting.length >= MAX_WAITING)
      return Promise.reject(
        new PromApiError("unavailable", `${MAX_WAITING} queries are waiting already; try again`),
      );
    return new Promise((resolve, reject) => {
      const request = { id: this.nextId++, kind, params: params.toString(), now: Date.now() };
      this.waiting.push({ request, timeoutMs, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.busy) return;
    const next = this.waiting.shift();
    if (!next) return;
    let worker: Worker;
    try {
      worker = this.ensureWorker();
    } catch (err) {
      next.reject(err instanceof Error ? err : new Error(String(err)));
      this.pump();
      return;
    }
    const timer = setTimeout(() => {
      logger.warn(
        { context: { timeoutMs: next.timeoutMs } },
        "a metrics query ran past its timeout; restarting the query worker",
      );
      // Forgotten first, so the next query gets a new worker, not this dying one.
      this.worker = undefined;
      void worker.terminate();
      this.finish((b) =>
        b.reject(new PromApiError("timeout", "query timed out in expression evaluation")),
      );
    }, next.timeoutMs + GRACE_MS);
    timer.unref();
    this.busy = { ...next, timer };
    worker.postMessage(next.request);
  }

  private finish(settle: (busy: Pending) => void): void {
    const busy = this.busy;
    if (!busy) return;
    clearTimeout(busy.timer);
    this.busy = undefined;
    settle(busy);
    this.pump();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerModule(), {
      env: SHARE_ENV,
      execArgv: [],
      name: "opsdeck-query",
    });
    worker.unref();
    worker.on("message", (reply: QueryReply) => {
      if (this.busy?.request.id === reply.id) this.finish((b) => b.resolve(reply));
    });
    const gone = (err?: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (err) logger.error({ error: err }, "the query worker failed");
      this.finish((b) =>
        b.reject(new PromApiError("internal", "the query worker stopped; try again")),
      );
    };
    worker.on("error", gone);
    worker.on("exit", () => gone());
    this.worker = worker;
    return worker;
  }
}

const state = globalThis as unknown as { __opsdeckQueryPool?: QueryPool };

/** Runs a query in the query worker; the answer's data, or its Prometheus error thrown. */
export async function queryInWorker(
  kind: QueryRequest["kind"],
  params: URLSearchParams,
): Promise<{ data: unknown; timing: unknown }> {
  state.__opsdeckQueryPool ??= new QueryPool();
  const asked = params.get("timeout");
  const timeoutMs = asked
    ? Math.min(QUERY_TIMEOUT_MS, parseDurationParam(asked, "timeout"))
    : QUERY_TIMEOUT_MS;
  const reply = await state.__opsdeckQueryPool.run(kind, params, timeoutMs);
  if (!reply.ok) throw new PromApiError(reply.errorType, reply.message);
  return { data: reply.data, timing: reply.timing };
}
