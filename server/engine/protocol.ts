import "server-only";
import type { EngineOptions, EngineSnapshot } from "./engine";

/** What the HTTP thread hands the engine thread when it starts it. */
export type EngineWorkerData = {
  /** Runner id and scheduler-lease holder of this incarnation (`host:pid:random`). */
  holder: string;
  /** The config text the HTTP thread validated, parsed again there with the same environment. */
  config: { file: string; source: string } | null;
  options?: EngineOptions;
  /** The module the dev/test bootstrap loads (server/engine/main.ts, or a test's wrapper). */
  entry?: string;
};

/** HTTP thread → engine thread. Requests with an `id` get one reply with the same id. */
export type ToEngine =
  | { type: "metrics"; id: number }
  | { type: "config"; id: number; file: string; source: string }
  | { type: "shutdown"; timeoutMs: number };

export type SerializedError = { name: string; message: string; stack?: string };

/** Engine thread → HTTP thread. */
export type FromEngine =
  | { type: "ready"; snapshot: EngineSnapshot }
  | { type: "fatal"; message: string }
  | { type: "status"; snapshot: EngineSnapshot }
  | { type: "metrics"; id: number; text: string }
  | { type: "config"; id: number; ok: true }
  | { type: "config"; id: number; ok: false; message: string }
  | { type: "error"; error: SerializedError; context?: Record<string, unknown> }
  | { type: "stopped"; finished: number; interrupted: number };

export function serializeError(err: unknown): SerializedError {
  return err instanceof Error
    ? { name: err.name, message: err.message, stack: err.stack }
    : { name: "Error", message: String(err) };
}
