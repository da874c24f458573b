import "server-only";
import {
  fingerprint,
  formatMatcher,
  matchesAll,
  type Labels,
  type Matcher,
} from "@/lib/alerts/matchers";
import type { AlertsConfig, RouteConfig } from "@/server/config/schema";

/** A route with every setting resolved (children inherit what they do not set). */
export type RouteNode = {
  /** "root", "root/{severity=critical}", "root/{service=~web|api}/{environment=staging}"… */
  id: string;
  matchers: Matcher[];
  channels: string[];
  groupBy: string[];
  groupWait: number;
  groupInterval: number;
  repeatInterval: number;
  sendResolved: boolean;
  escalation: string | undefined;
  digest: boolean;
  continue: boolean;
  routes: RouteNode[];
};

const trees = new WeakMap<AlertsConfig["route"], RouteNode>();

/** The resolved tree of a loaded config's route, built once per config (it is read every tick). */
export function routeTree(route: AlertsConfig["route"]): RouteNode {
  let tree = trees.get(route);
  if (!tree) trees.set(route, (tree = buildRouteTree(route)));
  return tree;
}

export function buildRouteTree(root: AlertsConfig["route"]): RouteNode {
  const resolve = (r: RouteConfig, parent: RouteNode | null, id: string): RouteNode => {
    const node: RouteNode = {
      id,
      matchers: r.matchers,
      channels: r.channels ?? parent?.channels ?? [],
      groupBy: r.groupBy ?? parent?.groupBy ?? [],
      groupWait: r.groupWait ?? parent?.groupWait ?? 30_000,
      groupInterval: r.groupInterval ?? parent?.groupInterval ?? 300_000,
      repeatInterval: r.repeatInterval ?? parent?.repeatInterval ?? 4 * 3_600_000,
      sendResolved: r.sendResolved ?? parent?.sendResolved ?? true,
      escalation: r.escalation ?? parent?.escalation,
      digest: r.digest ?? parent?.digest ?? false,
      continue: r.continue,
      routes: [],
    };
    // Alertmanager's route keys: the path of matchers, so adding or moving a sibling route
    // does not change the identity (and the stored groups) of the others.
    const seen = new Map<string, number>();
    node.routes = r.routes.map((child) => {
      const key = `${id}/{${child.matchers.map(formatMatcher).join(",")}}`;
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      return resolve(child, node, n === 0 ? key : `${key}#${n}`);
    });
    return node;
  };
  return resolve(root, null, "root");
}

/**
 * Alertmanager's routing: a route matches when its matchers do; its children are
 * tried in order and the first match wins unless it says `continue`; when no child
 * matches, the route itself takes the alert.
 */
export function matchRoutes(node: RouteNode, labels: Labels): RouteNode[] {
  if (!matchesAll(node.matchers, labels)) return [];
  const all: RouteNode[] = [];
  for (const child of node.routes) {
    const matched = matchRoutes(child, labels);
    all.push(...matched);
    if (matched.length > 0 && !child.continue) break;
  }
  return all.length > 0 ? all : [node];
}

export function findRoute(node: RouteNode, id: string): RouteNode | undefined {
  if (node.id === id) return node;
  for (const child of node.routes) {
    const found = findRoute(child, id);
    if (found) return found;
  }
  return undefined;
}

/** The group an alert joins on a route: the route plus the values of its groupBy labels. */
export function groupOf(route: RouteNode, labels: Labels): { key: string; labels: Labels } {
  const picked: Labels = {};
  for (const name of route.groupBy) if (labels[name] !== undefined) picked[name] = labels[name]!;
  return { key: `${route.id}|${fingerprint(picked)}`, labels: picked };
}
