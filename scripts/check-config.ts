// npm run check-config [file] — validates opsdeck.yaml (or the given file) without starting Opsdeck.
import { env, readEnvVar } from "../env";
import { ConfigError, loadConfigFile } from "../server/config/load";

const file = process.argv[2] ?? env.OPSDECK_CONFIG;
try {
  const { file: abs, config } = loadConfigFile(file, readEnvVar);
  console.log(
    `${abs} is valid: ${config.environments.length} environments, ${config.services.length} services.`,
  );
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
