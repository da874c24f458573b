import "server-only";
import type { HeartbeatMonitorConfig, OpsdeckConfig } from "@/server/config/schema";
import { sameToken } from "@/server/http/token";

/** The heartbeat monitor a ping token belongs to (compared in constant time), if any. */
export function monitorForToken(
  config: OpsdeckConfig,
  token: string,
): HeartbeatMonitorConfig | undefined {
  return config.monitors.find(
    (m): m is HeartbeatMonitorConfig =>
      m.type === "heartbeat" && sameToken(token, m.token.reveal()),
  );
}
