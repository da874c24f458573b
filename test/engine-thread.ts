// The engine threads as the host tests run them: server/engine/main.ts plus a job kind the
// test opens and closes from its own thread, and a way to crash a thread for real.
// The test thread imports this module too (without starting anything), so that
// enqueueJob knows the kind's parameters there.
import { BroadcastChannel, workerData } from "node:worker_threads";
import { z } from "zod";
import { defineJobKind } from "@/server/jobs/registry";

const GATES = "opsdeck-test:gates";
const CRASH = "opsdeck-test:crash";

/** A job that runs until the test opens its gate (or the runner aborts it). */
defineJobKind({
  kind: "test.gate",
  title: "waits for the test to open its gate",
  params: z.object({}),
  run: (ctx) =>
    new Promise((resolve, reject) => {
      const channel = new BroadcastChannel(GATES);
      channel.onmessage = (event) => {
        if ((event as { data?: unknown }).data !== ctx.jobId) return;
        channel.close();
        resolve({ opened: true });
      };
      ctx.signal.addEventListener("abort", () => {
        channel.close();
        reject(new Error("aborted"));
      });
    }),
});

/** Opens the gate of a running test.gate job, whichever thread runs it. */
export function openGate(jobId: number): void {
  const channel = new BroadcastChannel(GATES);
  channel.postMessage(jobId);
  channel.close();
}

/** Makes one engine thread throw an uncaught exception, as a bug in it would. */
export function crashThread(role: "engine" | "jobs"): void {
  const channel = new BroadcastChannel(CRASH);
  channel.postMessage(role);
  channel.close();
}

// In an engine thread (the host passes its role), not in the test's own thread.
const role = (workerData as { role?: string } | null)?.role;
if (role) {
  const crash = new BroadcastChannel(CRASH);
  crash.unref();
  crash.onmessage = (event) => {
    if ((event as { data?: unknown }).data !== role) return;
    setImmediate(() => {
      throw new Error(`${role} thread bug (test)`);
    });
  };
  void import("@/server/engine/main");
}
