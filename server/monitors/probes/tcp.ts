import "server-only";
import net from "node:net";
import type { TcpMonitorConfig } from "@/server/config/schema";
import { withDeadline } from "./deadline";
import { answered, elapsedSince, slowWarning } from "./result";
import { whenConnected } from "./socket";
import type { ProbeOptions, ProbeResult } from "./types";

/** Up when a TCP connection opens within the timeout; it is closed again at once. */
export function probeTcp(
  config: TcpMonitorConfig,
  options: ProbeOptions = {},
): Promise<ProbeResult> {
  return withDeadline(config.timeout, options.signal, async (signal) => {
    const startedAt = performance.now();
    const socket = await whenConnected(
      net.connect({ host: config.host, port: config.port }),
      "connect",
      signal,
    );
    const responseMs = elapsedSince(startedAt);
    socket.destroy();
    return answered({ responseMs, statusCode: null, tlsDaysLeft: null }, [
      slowWarning(responseMs, config.expect.maxResponseTime),
    ]);
  });
}
