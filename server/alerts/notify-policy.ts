import "server-only";
import { matchesAll, type Labels, type Matcher } from "@/lib/alerts/matchers";
import type { RouteNode } from "./routing";

export type SilenceLike = { id: number; matchers: Matcher[]; startsAt: Date; endsAt: Date };

/** The active silence that covers these labels, if any. */
export function silencedBy(
  labels: Labels,
  silences: readonly SilenceLike[],
  now: number,
): SilenceLike | undefined {
  return silences.find(
    (s) =>
      s.startsAt.getTime() <= now &&
      now < s.endsAt.getTime() &&
      s.matchers.length > 0 &&
      matchesAll(s.matchers, labels),
  );
}

export type InhibitRule = { source: Matcher[]; target: Matcher[]; equal: string[] };

/**
 * Which alerts are held back by inhibition: a firing source alert mutes target alerts
 * with the same values of the `equal` labels. An alert never inhibits itself. `targets`
 * (default: every firing alert) limits which alerts are looked at as targets.
 */
export function inhibitedIds(
  firing: readonly { id: number; labels: Labels }[],
  rules: readonly InhibitRule[],
  targets: readonly { id: number; labels: Labels }[] = firing,
): Map<number, number> {
  const held = new Map<number, number>();
  for (const rule of rules) {
    const sources = firing.filter((a) => matchesAll(rule.source, a.labels));
    if (sources.length === 0) continue;
    for (const target of targets) {
      if (held.has(target.id) || !matchesAll(rule.target, target.labels)) continue;
      const source = sources.find(
        (s) =>
          s.id !== target.id &&
          rule.equal.every((name) => (s.labels[name] ?? "") === (target.labels[name] ?? "")),
      );
      if (source) held.set(target.id, source.id);
    }
  }
  return held;
}

export type GroupState = {
  notified: number[];
  lastFlushAt: number | null;
  nextFlushAt: number;
};

export type GroupPlan =
  | { action: "none" }
  | { action: "create"; nextFlushAt: number }
  | { action: "wait" }
  | { action: "delete" }
  | {
      action: "flush";
      firing: number[];
      resolved: number[];
      /** Nothing is left firing: the group ends after this notification. */
      last: boolean;
      repeat: boolean;
      nextFlushAt: number;
    };

/**
 * Alertmanager's notification decision for one group. A new group waits groupWait
 * (so alerts that start together go out together); after that it is looked at every
 * groupInterval and notified when an alert started firing or resolved, or when
 * repeatInterval passed with something still firing (and unacknowledged). A group
 * whose alerts all resolved before its first notification sends nothing.
 */
export function planGroup(
  state: GroupState | null,
  firing: readonly number[],
  isResolved: (id: number) => boolean,
  now: number,
  route: Pick<RouteNode, "groupWait" | "groupInterval" | "repeatInterval" | "sendResolved">,
  needsRepeat: boolean = true,
): GroupPlan {
  if (!state) {
    if (firing.length === 0) return { action: "none" };
    return { action: "create", nextFlushAt: now + route.groupWait };
  }
  if (now < state.nextFlushAt) return { action: "wait" };
  const newlyFiring = firing.filter((id) => !state.notified.includes(id));
  const resolved = route.sendResolved
    ? state.notified.filter((id) => !firing.includes(id) && isResolved(id))
    : [];
  if (firing.length === 0) {
    if (state.lastFlushAt === null || resolved.length === 0) return { action: "delete" };
    return {
      action: "flush",
      firing: [],
      resolved,
      last: true,
      repeat: false,
      nextFlushAt: now + route.groupInterval,
    };
  }
  const repeat =
    state.lastFlushAt !== null && now - state.lastFlushAt >= route.repeatInterval && needsRepeat;
  if (state.lastFlushAt === null || newlyFiring.length > 0 || resolved.length > 0 || repeat)
    return {
      action: "flush",
      firing: [...firing],
      resolved,
      last: false,
      repeat: repeat && newlyFiring.length === 0 && resolved.length === 0,
      nextFlushAt: now + route.groupInterval,
    };
  return { action: "wait" };
}
