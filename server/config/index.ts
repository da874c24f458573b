import "server-only";
import { env, readEnvVar } from "@/env";
import { logger } from "@/server/logger";
import { addConfigSecrets } from "@/server/secrets/redact";
import { reloadEnvFiles } from "./env-files";
import type { ResolvedValue } from "./interpolate";
import { loadConfigFile, parseConfig, type LoadedConfig } from "./load";

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

/**
 * Reads the config again without installing it: first the `.env` files (a `${VAR}`
 * whose value changed there gets the new value), then the file. Throws ConfigError.
 */
export function readConfig(): LoadedConfig {
  reloadEnvFiles();
  return loadConfigFile(env.OPSDECK_CONFIG, readEnvVar);
}

/** Makes a config from readConfig() the running one in this thread. */
export function installConfig(loaded: LoadedConfig): void {
  install(loaded);
}

/**
 * Installs the config text another thread read and validated, parsed here with the
 * same (shared) environment, so both threads run the same config and know the same
 * secret values. Throws ConfigError.
 */
export function installConfigSource(file: string, source: string): LoadedConfig {
  return install({
    file,
    ...parseConfig(source, file, readEnvVar),
    loadedAt: new Date(),
    source,
  });
}

/** Installs a parsed config as the running one (tests), with the secret values it resolved. */
export function setConfigForTests(
  config: LoadedConfig["config"],
  secrets: ResolvedValue[] = [],
): void {
  install({ file: "(test)", config, warnings: [], secrets, loadedAt: new Date() });
}
