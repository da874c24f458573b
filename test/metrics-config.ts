import { parseConfigText } from "@/server/config/load";

/**
 * An opsdeck.yaml with one service and environment (`backend`, `production`) and the
 * given `metrics:` block; `${VAR}`s are read from `vars`.
 */
export function metricsConfig(metrics: string, vars: Record<string, string>) {
  return parseConfigText(
    `
environments:
  - { id: production, name: Production }
services:
  - { id: backend, name: Navi backend, environments: {} }
metrics:
${metrics}`,
    "/etc/opsdeck.yaml",
    (name) => vars[name],
  );
}
