import "server-only";
import { env, readEnvVar } from "@/env";
import { reloadEnvFiles } from "./env-files";
import { loadConfigFile, parseConfigText, type LoadedConfig } from "./load";

const state = globalThis as unknown as { __opsdeckConfig?: LoadedConfig };

/** The config loaded at start (or by the last reload). Loads it on first use. */
export function getConfig(): LoadedConfig {
  state.__opsdeckConfig ??= loadConfigFile(env.OPSDECK_CONFIG, readEnvVar);
  return state.__opsdeckConfig;
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
  state.__opsdeckConfig = loaded;
}

/**
 * Installs the config text another thread read and validated, parsed here with the
 * same (shared) environment, so both threads run the same config. Throws ConfigError.
 */
export function installConfigSource(file: string, source: string): LoadedConfig {
  const loaded = {
    file,
    config: parseConfigText(source, file, readEnvVar),
    loadedAt: new Date(),
    source,
  };
  installConfig(loaded);
  return loaded;
}

/** Installs a parsed config as the running one (tests). */
export function setConfigForTests(config: LoadedConfig["config"]): void {
  state.__opsdeckConfig = { file: "(test)", config, loadedAt: new Date() };
}
