import "server-only";

const BY_CODE: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by peer",
  ECONNABORTED: "connection aborted",
  EPIPE: "connection closed by the server while sending the request",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EADDRNOTAVAIL: "address not available",
  ENOTFOUND: "host not found (DNS)",
  EAI_AGAIN: "host lookup failed temporarily (DNS)",
  EAI_FAIL: "host lookup failed (DNS)",
};

type NodeError = { message: string; code?: string; reason?: string };

/** Turns what node:net, node:tls and node:http throw into words for the on-call engineer. */
export function describeError(error: unknown): string {
  if (!isNodeError(error)) return String(error);
  const { code, message } = error;
  // node:http reports both of these with ECONNRESET, but they mean different things to a reader.
  if (message === "socket hang up") {
    return "socket hang up (the server closed the connection without answering)";
  }
  if (message === "aborted") return "connection closed before the response was complete";
  if (message.startsWith("Client network socket disconnected")) {
    return "connection closed during the TLS handshake";
  }
  if (code?.startsWith("HPE_")) return `invalid HTTP response (${message})`;
  // What OpenSSL says when the answer is plain text: a port that does not speak TLS at all.
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER") return "TLS handshake failed (is this port TLS?)";
  if (code?.startsWith("ERR_SSL_")) return `TLS handshake failed (${error.reason ?? message})`;
  return (code && BY_CODE[code]) ?? message;
}

// Duck-typed: errors made in another realm (vitest, workers) fail `instanceof Error`.
function isNodeError(error: unknown): error is NodeError {
  return (
    typeof error === "object" && error !== null && typeof (error as NodeError).message === "string"
  );
}
