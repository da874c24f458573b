// npm run check-config [file] — validates opsdeck.yaml (or the given file) without starting Opsdeck.
import { env, readEnvVar } from "../env";
import { ConfigError, loadConfigFile } from "../server/config/load";

const file = process.argv[2] ?? env.OPSDECK_CONFIG;
try {
  const { file: abs, config, warnings } = loadConfigFile(file, readEnvVar);
  const n = (count: number, what: string) => `${count} ${what}${count === 1 ? "" : "s"}`;
  for (const w of warnings) console.warn(`warning: ${w.path}: ${w.message}`);
  console.log(
    `${abs} is valid: ${n(config.environments.length, "environment")}, ${n(config.services.length, "service")}, ${n(config.monitors.length, "monitor")}.`,
  );
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
