import "server-only";
import type net from "node:net";

/**
 * Resolves with `socket` once `ready` fires ("connect" for TCP, "secureConnect" for TLS).
 *
 * The socket is destroyed when `signal` aborts, also after it has been handed over, so no
 * connection outlives its check. The error listener stays for the socket's life: a late error
 * on a socket nobody listens to would crash the process.
 */
export function whenConnected<S extends net.Socket>(
  socket: S,
  ready: "connect" | "secureConnect",
  signal: AbortSignal,
): Promise<S> {
  const destroy = () => socket.destroy();
  signal.addEventListener("abort", destroy, { once: true });
  socket.once("close", () => signal.removeEventListener("abort", destroy));
  if (signal.aborted) destroy();

  return new Promise((resolve, reject) => {
    socket.once(ready, () => resolve(socket));
    socket.on("error", reject);
    socket.once("close", () => reject(new Error("connection closed")));
  });
}
