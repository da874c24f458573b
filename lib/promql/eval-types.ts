// Values the evaluator passes between its parts. Like Prometheus's engine, every
// instant-vector or scalar node is evaluated over all steps at once into a matrix whose
// points sit at the step timestamps; a scalar is one series without labels.

import type { Labels } from "./storage";

export type EvalErrorType = "bad_data" | "execution" | "timeout" | "internal";

/** A query the evaluator refuses or cannot finish; `errorType` is the HTTP API's. */
export class PromQLEvalError extends Error {
  readonly errorType: EvalErrorType;

  constructor(errorType: EvalErrorType, message: string) {
    super(message);
    this.name = "PromQLEvalError";
    this.errorType = errorType;
  }
}

export function execError(message: string): PromQLEvalError {
  return new PromQLEvalError("execution", message);
}

/** One series over the steps it has a value at. */
export interface StepSeries {
  labels: Labels;
  t: number[];
  v: number[];
  /** Each point's sample time, kept only for timestamp(). */
  st?: number[];
}

export type Matrix = StepSeries[];

/** An instant-vector element at one step; `t` is the sample's own time for timestamp(). */
export interface VSample {
  labels: Labels;
  v: number;
  t: number;
}

export type Vector = VSample[];
