import "server-only";
import type { z } from "zod";
import type { Db, DbOrTx } from "@/server/db";

export type JobLogLevel = "debug" | "info" | "warn" | "error";

export type JobContext<P> = {
  jobId: number;
  params: P;
  db: Db;
  /** Aborted when the process shuts down past its grace period. */
  signal: AbortSignal;
  log(level: JobLogLevel, message: string): void;
  /** 0–100, with an optional label ("12,000 of 48,000 rows"). */
  progress(percent: number, label?: string): void;
};

export type JobKind<P = unknown, R = unknown> = {
  kind: string;
  title: string;
  params: z.ZodType<P>;
  /** What one job of this kind acts on, in a few words ("backup #3", "rollback to 1.4.1"). */
  describe?(params: P, db: DbOrTx): string | null;
  run(ctx: JobContext<P>): Promise<R>;
};

const kinds = new Map<string, JobKind>();

/** Registers a job kind; the runner only claims jobs whose kind it knows. */
export function defineJobKind<P, R>(def: JobKind<P, R>): JobKind<P, R> {
  kinds.set(def.kind, def as JobKind);
  return def;
}

export function getJobKind(kind: string): JobKind | undefined {
  return kinds.get(kind);
}

export function jobKindNames(): string[] {
  return [...kinds.keys()];
}
