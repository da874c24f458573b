import "server-only";

import type { PromErrorType } from "./prom-errors";

/** HTTP thread → query worker: one query, its parameters as a query string. */
export type QueryRequest = { id: number; kind: "instant" | "range"; params: string; now: number };

/** Query worker → HTTP thread: the answer's `data` (Prometheus's JSON) or its error. */
export type QueryReply =
  | { id: number; ok: true; data: unknown; timing: unknown }
  | { id: number; ok: false; errorType: PromErrorType; message: string };
