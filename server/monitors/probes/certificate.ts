import "server-only";
import type { Certificate, PeerCertificate, TLSSocket } from "node:tls";

const DAY_MS = 86_400_000;

const REJECTIONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed certificate",
  SELF_SIGNED_CERT_IN_CHAIN: "certificate chain ends in an untrusted self-signed root",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    "certificate issued by an unknown authority (or the server does not send its intermediate certificate)",
  UNABLE_TO_GET_ISSUER_CERT: "certificate issued by an unknown authority",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    "certificate issued by an unknown authority (or the server does not send its intermediate certificate)",
  CERT_REVOKED: "certificate has been revoked",
  CERT_SIGNATURE_FAILURE: "certificate signature is invalid",
  CERT_UNTRUSTED: "certificate is not trusted",
  INVALID_CA: "certificate chain contains an invalid CA certificate",
  INVALID_PURPOSE: "certificate is not meant for TLS servers",
  CERT_CHAIN_TOO_LONG: "certificate chain is too long",
};

/** The server's certificate, or null when it sent none. */
export function peerCertificate(socket: TLSSocket): PeerCertificate | null {
  const cert = socket.getPeerCertificate();
  return cert.valid_to ? cert : null;
}

/** Whole days until `cert` expires, rounded down: negative once it has expired. */
export function daysLeft(cert: PeerCertificate, now: number): number {
  return Math.floor((Date.parse(cert.valid_to) - now) / DAY_MS);
}

export function expiryWarning(days: number): string {
  if (days < 1) return "certificate expires in less than a day";
  return `certificate expires in ${days} ${days === 1 ? "day" : "days"}`;
}

/** Why node:tls did not authorize the socket; it reports an OpenSSL or Node error code. */
export function describeRejection(socket: TLSSocket, cert: PeerCertificate): string {
  // Typed as an Error, but Node stores the error's code (a string) here.
  const reason: unknown = socket.authorizationError;
  const code =
    typeof reason === "string" ? reason : ((reason as { code?: string } | null)?.code ?? "");
  return describeCertificateError(code, cert);
}

export function describeCertificateError(code: string, cert: PeerCertificate): string {
  switch (code) {
    case "CERT_HAS_EXPIRED":
      return `certificate has expired (on ${isoDate(cert.valid_to)})`;
    case "CERT_NOT_YET_VALID":
      return `certificate is not yet valid (from ${isoDate(cert.valid_from)})`;
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return `certificate is for another host (${certificateHosts(cert)})`;
    default:
      return REJECTIONS[code] ?? `certificate rejected (${code || "no reason given"})`;
  }
}

/** Issuer, subject and expiry as a TLS monitor shows them. */
export function certificateSummary(cert: PeerCertificate) {
  return {
    issuer: displayName(cert.issuer),
    subject: displayName(cert.subject),
    validTo: new Date(Date.parse(cert.valid_to)).toISOString(),
  };
}

function certificateHosts(cert: PeerCertificate): string {
  const altNames = cert.subjectaltname?.replace(/(DNS|IP Address):/g, "");
  return altNames || displayName(cert.subject) || "no host names";
}

// A name field repeats as an array when the certificate lists it more than once.
function displayName(name: Certificate): string {
  return [name.CN, name.O]
    .flat()
    .filter((part) => part)
    .join(", ");
}

function isoDate(opensslDate: string): string {
  return new Date(Date.parse(opensslDate)).toISOString().slice(0, 10);
}
