/**
 * The client's address: the socket peer, or, behind `trustedHops` proxies, the
 * address the outermost trusted proxy saw (X-Forwarded-For is read from the
 * right, so a client cannot choose its own address by sending the header).
 */
export function clientIp(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trustedHops: number,
): string {
  const peer = normalise(socketAddress ?? "");
  if (trustedHops <= 0 || !forwardedFor) return peer;
  const hops = forwardedFor
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const candidate = hops[hops.length - trustedHops];
  return candidate ? normalise(candidate) : peer;
}

function normalise(address: string): string {
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}
