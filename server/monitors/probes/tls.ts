import "server-only";
import net from "node:net";
import tls, { type PeerCertificate } from "node:tls";
import type { TlsMonitorConfig } from "@/server/config/schema";
import {
  certificateSummary,
  daysLeft,
  describeCertificateError,
  describeRejection,
  expiryWarning,
  peerCertificate,
} from "./certificate";
import { withDeadline } from "./deadline";
import { answered, down, elapsedSince } from "./result";
import { whenConnected } from "./socket";
import type { ProbeOptions, ProbeResult } from "./types";

export type TlsProbeOptions = ProbeOptions & {
  /** For tests only: trust these CA certificates instead of the system's. */
  ca?: string | Buffer;
};

/** Handshakes with the server and judges its certificate: validity, trust, host name, expiry. */
export function probeTls(
  config: TlsMonitorConfig,
  options: TlsProbeOptions = {},
): Promise<ProbeResult> {
  const { signal: callerSignal, now = Date.now, ca } = options;
  return withDeadline(config.timeout, callerSignal, async (signal) => {
    const startedAt = performance.now();
    // Not rejectUnauthorized: an invalid certificate is the finding, and it must be read first.
    const socket = await whenConnected(
      tls.connect({
        host: config.host,
        port: config.port,
        // SNI carries host names only; for an IP address the certificate is matched against the IP.
        servername: config.servername ?? (net.isIP(config.host) ? undefined : config.host),
        ca,
        rejectUnauthorized: false,
      }),
      "secureConnect",
      signal,
    );
    const responseMs = elapsedSince(startedAt);
    const cert = peerCertificate(socket);
    const rejection = cert && !socket.authorized ? describeRejection(socket, cert) : null;
    socket.destroy();
    if (!cert) return down("server sent no certificate", { responseMs });
    return judge(config, cert, rejection, responseMs, now());
  });
}

function judge(
  config: TlsMonitorConfig,
  cert: PeerCertificate,
  rejection: string | null,
  responseMs: number,
  now: number,
): ProbeResult {
  const tlsDaysLeft = daysLeft(cert, now);
  const measurements = { responseMs, statusCode: null, tlsDaysLeft, tls: certificateSummary(cert) };
  // The dates are judged against `now` first, so the verdict follows the clock the caller gave.
  const problem = validityProblem(cert, now) ?? rejection;
  if (problem) return { ...measurements, status: "down", error: problem };
  const expiring = tlsDaysLeft < config.warnDays;
  return answered(measurements, [
    expiring ? `${expiryWarning(tlsDaysLeft)} (warn below ${config.warnDays})` : null,
  ]);
}

function validityProblem(cert: PeerCertificate, now: number): string | null {
  if (Date.parse(cert.valid_to) < now) return describeCertificateError("CERT_HAS_EXPIRED", cert);
  if (Date.parse(cert.valid_from) <= now) return null;
  return describeCertificateError("CERT_NOT_YET_VALID", cert);
}
