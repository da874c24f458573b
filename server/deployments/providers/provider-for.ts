import "server-only";
import type { DeployTargetConfig } from "@/server/config/schema";
import { commandProvider } from "./command";
import { railwayProvider } from "./railway";
import type { DeployProvider } from "./types";
import { webhookProvider } from "./webhook";

export function providerFor(config: DeployTargetConfig): DeployProvider {
  switch (config.provider) {
    case "railway":
      return railwayProvider(config);
    case "command":
      return commandProvider(config);
    case "webhook":
      return webhookProvider(config);
  }
}
