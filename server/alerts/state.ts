import "server-only";

/** What the evaluator remembers of an open episode between evaluations. */
export type Episode = {
  state: "pending" | "firing";
  activeAt: number;
  lastActiveAt: number;
  firedAt: number | null;
};

export type Timing = { forMs: number; keepFiringForMs: number };

export type Step =
  | { kind: "none"; episode: Episode | null }
  | { kind: "start"; episode: Episode; to: "pending" | "firing" }
  | { kind: "fire"; episode: Episode }
  | { kind: "touch"; episode: Episode }
  | { kind: "clear"; from: "pending"; to: "inactive"; at: number }
  | { kind: "resolve"; from: "firing"; to: "resolved"; at: number };

/**
 * One evaluation of one alert, Prometheus's way: the condition must hold for `for`
 * before the alert fires, and a firing alert keeps firing for `keepFiringFor` after
 * the condition clears. A pending alert that clears never fired and becomes inactive.
 * Pure, so the same function drives live evaluation and a rule's preview.
 */
export function stepAlert(prev: Episode | null, active: boolean, now: number, t: Timing): Step {
  if (!prev) {
    if (!active) return { kind: "none", episode: null };
    const firing = t.forMs <= 0;
    const episode: Episode = {
      state: firing ? "firing" : "pending",
      activeAt: now,
      lastActiveAt: now,
      firedAt: firing ? now : null,
    };
    return { kind: "start", episode, to: episode.state };
  }
  if (prev.state === "pending") {
    if (!active) return { kind: "clear", from: "pending", to: "inactive", at: now };
    if (now - prev.activeAt >= t.forMs)
      return {
        kind: "fire",
        episode: { ...prev, state: "firing", firedAt: now, lastActiveAt: now },
      };
    return { kind: "touch", episode: { ...prev, lastActiveAt: now } };
  }
  if (active) return { kind: "touch", episode: { ...prev, lastActiveAt: now } };
  if (now - prev.lastActiveAt >= t.keepFiringForMs)
    return { kind: "resolve", from: "firing", to: "resolved", at: now };
  return { kind: "none", episode: prev };
}
