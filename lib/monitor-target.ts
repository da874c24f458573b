/** Where a monitor points, for display: never credentials embedded in a URL. */
export function describeTarget(m: {
  type: string;
  url?: string;
  host?: string;
  port?: number;
  method?: string;
}): string {
  if (m.type === "http" && m.url) {
    try {
      const u = new URL(m.url);
      u.username = "";
      u.password = "";
      // Query strings often carry tokens; show that there is one, not what it is.
      const query = u.search ? "?…" : "";
      u.search = "";
      return `${m.method ?? "GET"} ${u.toString()}${query}`;
    } catch {
      return "(invalid URL)";
    }
  }
  if (m.type === "tcp" || m.type === "tls") return `${m.host}:${m.port}`;
  return "heartbeat pings";
}
