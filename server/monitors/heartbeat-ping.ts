import "server-only";
import { timingSafeEqual } from "node:crypto";
import type { HeartbeatMonitorConfig, OpsdeckConfig } from "@/server/config/schema";

/** The heartbeat monitor a ping token belongs to (compared in constant time), if any. */
export function monitorForToken(
  config: OpsdeckConfig,
  token: string,
): HeartbeatMonitorConfig | undefined {
  const given = Buffer.from(token);
  return config.monitors.find((m): m is HeartbeatMonitorConfig => {
    if (m.type !== "heartbeat") return false;
    const expected = Buffer.from(m.token.reveal());
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
