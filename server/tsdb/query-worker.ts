// The entry of the query worker thread, started by server/tsdb/query-pool.ts as a bundle
// (scripts/engine-bundle.mjs: .next/opsdeck-query.mjs in production). PromQL evaluation
// is synchronous: here a heavy query holds this thread, never the one that serves pages.
// It opens its own connection to metrics.db and only reads.
import "server-only";
import { parentPort } from "node:worker_threads";
import { instantQuery, PromApiError, rangeQuery } from "./prom-api";
import type { QueryReply, QueryRequest } from "./query-protocol";

const port = parentPort;
if (!port) throw new Error("server/tsdb/query-worker.ts runs in a worker thread");

port.on("message", (req: QueryRequest) => {
  let reply: QueryReply;
  try {
    const params = new URLSearchParams(req.params);
    const { data, timing } =
      req.kind === "range" ? rangeQuery(params) : instantQuery(params, req.now);
    reply = { id: req.id, ok: true, data, timing };
  } catch (err) {
    reply =
      err instanceof PromApiError
        ? { id: req.id, ok: false, errorType: err.errorType, message: err.message }
        : {
            id: req.id,
            ok: false,
            errorType: "internal",
            message: err instanceof Error ? err.message : String(err),
          };
  }
  port.postMessage(reply);
});
