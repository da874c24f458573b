import "server-only";
import { env, readEnvVar } from "@/env";
import { logger } from "@/server/logger";
import { addConfigSecrets } from "@/server/secrets/redact";
import { loadConfigFile, type LoadedConfig } from "./load";
import type { ResolvedValue } from "./interpolate";

const state = globalThis as unknown as { __opsdeckConfig?: LoadedConfig };

/** Makes `loaded` the running config: its secret values become known to the redactor first. */
function install(loaded: LoadedConfig): LoadedConfig {
  addConfigSecrets(loaded.secrets);
  for (const w of loaded.warnings)
    logger.warn({ context: { config: loaded.file, path: w.path } }, `config: ${w.message}`);
  state.__opsdeckConfig = loaded;
  return loaded;
}

/** The config loaded at start (or by the last reload). Loads it on first use. */
export function getConfig(): LoadedConfig {
  return state.__opsdeckConfig ?? install(loadConfigFile(env.OPSDECK_CONFIG, readEnvVar));
}

/** Re-reads the file; the running config only changes when the new one is valid. */
export function reloadConfig(): LoadedConfig {
  return install(loadConfigFile(env.OPSDECK_CONFIG, readEnvVar));
}

/** Installs a parsed config as the running one (tests), with the secret values it resolved. */
export function setConfigForTests(
  config: LoadedConfig["config"],
  secrets: ResolvedValue[] = [],
): void {
  install({ file: "(test)", config, warnings: [], secrets, loadedAt: new Date() });
}
