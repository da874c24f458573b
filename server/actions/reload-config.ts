"use server";
import "server-only";
import { z } from "zod";
import { ActionError, authAction } from "@/server/auth/action";
import { reloadConfig } from "@/server/config";
import { ConfigError } from "@/server/config/load";
import { applyConfig, getRuntime } from "@/server/runtime";

/** Re-reads opsdeck.yaml; an invalid file is refused with its problems and the running config stays. */
export const reloadConfigAction = authAction({
  name: "config.reload",
  role: "admin",
  input: z.strictObject({}),
  run(ctx) {
    let loaded;
    try {
      loaded = reloadConfig();
    } catch (err) {
      if (err instanceof ConfigError) {
        throw new ActionError(
          400,
          `The config file has problems; the running config was kept.`,
          err.problems,
        );
      }
      throw err;
    }
    const runtime = getRuntime();
    if (runtime) applyConfig(runtime, loaded.config);
    const summary = {
      file: loaded.file,
      environments: loaded.config.environments.length,
      services: loaded.config.services.length,
      monitors: loaded.config.monitors.length,
    };
    return ctx.commit({ action: "config.reload", details: summary }, () => summary);
  },
});
