import "server-only";
import { spawn } from "node:child_process";
import { PassThrough, type Readable } from "node:stream";
import { childEnv } from "@/env";
import { redactSecrets } from "@/server/secrets/redact";

const STDERR_KEEP = 8 * 1024;

export type CommandRun = {
  stdout: Readable;
  /** Resolves when the command exits: its code and the end of what it wrote to stderr. */
  done: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stderr: string;
    timedOut: boolean;
  }>;
};

/**
 * Starts `argv` without a shell (the config writes one explicitly if it needs one) with
 * the basic environment plus the variables in `envNames` (env.ts childEnv), kills it
 * (TERM, then KILL after 5 s) past `timeoutMs`, and keeps the last 8 KiB of stderr.
 */
export function runCommand(
  argv: string[],
  timeoutMs: number,
  signal?: AbortSignal,
  envNames: readonly string[] = [],
): CommandRun {
  const [program, ...args] = argv;
  const child = spawn(program!, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: childEnv({}, envNames),
  });
  let stderr = "";
  let timedOut = false;
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (s: string) => {
    stderr = (stderr + s).slice(-STDERR_KEEP);
  });
  const kill = () => {
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, timeoutMs);
  if (signal?.aborted) kill();
  else signal?.addEventListener("abort", kill, { once: true });
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stderr: string;
    timedOut: boolean;
  }>((resolve) => {
    child.on("error", (err) => {
      stderr = `${stderr}${err.message}`;
    });
    child.on("close", (code, sig) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", kill);
      // Redacted whole, before callers quote its last few hundred characters.
      resolve({ code, signal: sig, stderr: redactSecrets(stderr).trim(), timedOut });
    });
  });
  // Node discards a child's unread stdout when it exits; a pass-through attached right
  // away keeps every byte (with back-pressure) until the caller starts reading.
  const stdout = new PassThrough();
  child.stdout.pipe(stdout);
  return { stdout, done };
}
