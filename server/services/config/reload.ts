import "server-only";
import { z } from "zod";
import { installConfig, readConfig } from "@/server/config";
import { ConfigError } from "@/server/config/load";
import { getRuntime } from "@/server/runtime";
import { defineService, ServiceError } from "@/server/services/service";

/**
 * Reads the .env files and opsdeck.yaml again and puts the result into force in both
 * threads: the engine thread first (it parses the same text), then this one. An
 * invalid file is refused with its problems and the running config stays, everywhere.
 */
export const reloadConfig = defineService({
  name: "config.reload",
  role: "admin",
  input: z.strictObject({}),
  async run(ctx) {
    let loaded;
    try {
      loaded = readConfig();
    } catch (err) {
      if (err instanceof ConfigError) {
        throw new ServiceError(
          400,
          "The config file has problems; the running config was kept.",
          err.problems,
        );
      }
      throw err;
    }
    await getRuntime()?.engine.applyConfig(loaded);
    installConfig(loaded);
    const summary = {
      file: loaded.file,
      environments: loaded.config.environments.length,
      services: loaded.config.services.length,
      monitors: loaded.config.monitors.length,
    };
    return ctx.commit({ action: "config.reload", details: summary }, () => summary);
  },
});
