import "server-only";
import { env, readEnvVar } from "@/env";
import { loadConfigFile, type LoadedConfig } from "./load";

const state = globalThis as unknown as { __opsdeckConfig?: LoadedConfig };

/** The config loaded at start (or by the last reload). Loads it on first use. */
export function getConfig(): LoadedConfig {
  state.__opsdeckConfig ??= loadConfigFile(env.OPSDECK_CONFIG, readEnvVar);
  return state.__opsdeckConfig;
}

/** Re-reads the file; the running config only changes when the new one is valid. */
export function reloadConfig(): LoadedConfig {
  const next = loadConfigFile(env.OPSDECK_CONFIG, readEnvVar);
  state.__opsdeckConfig = next;
  return next;
}

/** Installs a parsed config as the running one (tests). */
export function setConfigForTests(config: LoadedConfig["config"]): void {
  state.__opsdeckConfig = { file: "(test)", config, loadedAt: new Date() };
}
