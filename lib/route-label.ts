/**
 * Maps a request path to the app route that serves it ("/api/jobs/42/events" →
 * "/api/jobs/[id]/events"), so metrics carry a bounded set of route labels.
 * Built from Next's app-path-routes-manifest (values are the public routes).
 */
export function routeMatcher(routes: string[]): (pathname: string) => string {
  const exact = new Set<string>();
  const dynamic: { route: string; re: RegExp; weight: number }[] = [];
  for (const route of new Set(routes)) {
    if (!route.includes("[")) {
      exact.add(route);
      continue;
    }
    const pattern = route
      .split("/")
      .map((seg) => {
        if (/^\[\[\.\.\..+\]\]$/.test(seg)) return "(?:/.*)?";
        if (/^\[\.\.\..+\]$/.test(seg)) return "/.+";
        if (/^\[.+\]$/.test(seg)) return "/[^/]+";
        return seg ? `/${seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}` : "";
      })
      .join("");
    const weight = (route.match(/\[/g) ?? []).length * 10 + (route.includes("...") ? 100 : 0);
    dynamic.push({ route, re: new RegExp(`^${pattern}/?$`), weight });
  }
  dynamic.sort((a, b) => a.weight - b.weight);
  return (pathname: string) => {
    const path = pathname.length > 1 ? pathname.replace(/\/$/, "") : pathname;
    if (exact.has(path)) return path;
    if (path.startsWith("/_next/static/")) return "/_next/static";
    if (path.startsWith("/_next/")) return "/_next";
    for (const d of dynamic) if (d.re.test(path)) return d.route;
    return "(unmatched)";
  };
}
