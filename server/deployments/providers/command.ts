import "server-only";
import { spawn } from "node:child_process";
import readline from "node:readline";
import { childEnv } from "@/env";
import { redactSecrets, redactSecretsNamed } from "@/server/secrets/redact";
import type { DeployTargetConfig } from "@/server/config/schema";
import type { ActionOutcome, DeployProvider } from "./types";

type CommandConfig = Extract<DeployTargetConfig, { provider: "command" }>;

/**
 * Runs the configured program (never through a shell) with the deployment to restore in
 * OPSDECK_TARGET_* variables, streaming its output into the job log. Exit 0 means the
 * deployment is done.
 */
export function commandProvider(config: CommandConfig): DeployProvider {
  return {
    cannot(action) {
      return action === "redeploy" && !config.redeploy
        ? "no redeploy command is configured for this environment"
        : null;
    },
    deploy(ctx, action, target, deadline) {
      const argv = action === "rollback" ? config.rollback : config.redeploy!;
      const timeout = Math.max(1_000, Math.min(config.timeout, deadline - Date.now()));
      ctx.log("info", `Running ${redactSecretsNamed(argv.join(" "))}`);
      return new Promise<ActionOutcome>((resolve, reject) => {
        const child = spawn(argv[0]!, argv.slice(1), {
          stdio: ["ignore", "pipe", "pipe"],
          env: childEnv(
            {
              OPSDECK_ACTION: action,
              OPSDECK_SERVICE: target.service,
              OPSDECK_ENVIRONMENT: target.environment,
              OPSDECK_TARGET_VERSION: target.version,
              OPSDECK_TARGET_COMMIT: target.commitSha ?? "",
              OPSDECK_TARGET_DEPLOYMENT_ID: target.externalId ?? String(target.id),
            },
            config.env,
          ),
        });
        for (const [stream, level] of [
          [child.stdout, "info"],
          [child.stderr, "warn"],
        ] as const) {
          readline
            .createInterface({ input: stream })
            // Redacted before it is cut, so no piece of a secret is left at the cut.
            .on("line", (line) => ctx.log(level, redactSecrets(line).slice(0, 2000)));
        }
        let timedOut = false;
        let exited = false;
        // TERM, then KILL for a program that ignores it: a canceled deploy must stop.
        const stop = () => {
          child.kill("SIGTERM");
          setTimeout(() => {
            if (!exited) child.kill("SIGKILL");
          }, 5_000).unref();
        };
        const timer = setTimeout(() => {
          timedOut = true;
          stop();
        }, timeout);
        const abort = () => stop();
        if (ctx.signal.aborted) stop();
        else ctx.signal.addEventListener("abort", abort, { once: true });
        child.on("error", (err) => {
          clearTimeout(timer);
          reject(new Error(`cannot run ${argv[0]}: ${err.message}`));
        });
        child.on("exit", () => (exited = true));
        child.on("close", (code, signal) => {
          clearTimeout(timer);
          ctx.signal.removeEventListener("abort", abort);
          if (timedOut)
            return reject(
              new Error(`${argv[0]} did not finish within ${Math.round(timeout / 1000)} s`),
            );
          const status = code === 0 ? "succeeded" : "failed";
          if (code !== 0) ctx.log("error", `${argv[0]} exited with ${code ?? signal}`);
          resolve({
            status,
            externalId: null,
            providerStatus: `exit ${code ?? signal}`,
            finishedAt: new Date(),
          });
        });
      });
    },
  };
}
