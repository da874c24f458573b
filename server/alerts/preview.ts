import "server-only";
import { fingerprint } from "@/lib/alerts/matchers";
import type { AlertRuleConfig, OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { evaluateCondition } from "./conditions/registry";
import { alertLabels } from "./evaluate";
import { stepAlert, type Episode } from "./state";

export type PreviewEpisode = {
  labels: Record<string, string>;
  summary: string;
  activeAt: number;
  firedAt: number | null;
  /** Null while it would still be firing at the end of the range. */
  endedAt: number | null;
};

export type Preview = {
  from: number;
  to: number;
  stepMs: number;
  evaluations: number;
  /** Episodes that would have fired (paged someone). */
  fired: PreviewEpisode[];
  /** Episodes that held for less than `for` and would have stayed silent. */
  pendingOnly: number;
  tookMs: number;
};

/**
 * Replays a rule over stored history: the condition is evaluated as of each step
 * (reading incidents, rollups, backups, deployments and jobs as they were then)
 * and the same state machine as live evaluation decides what would have fired.
 */
export function previewRule(
  db: Db,
  config: OpsdeckConfig,
  rule: AlertRuleConfig,
  range: { from: number; to: number; stepMs: number },
): Preview {
  const started = performance.now();
  const timing = { forMs: rule.for, keepFiringForMs: rule.keepFiringFor };
  const open = new Map<string, { ep: Episode; out: PreviewEpisode }>();
  const fired: PreviewEpisode[] = [];
  let pendingOnly = 0;
  let evaluations = 0;
  for (let t = range.from; t <= range.to; t += range.stepMs) {
    evaluations++;
    const found = new Map<string, { labels: Record<string, string>; summary: string }>();
    for (const instance of evaluateCondition(rule.condition, { db, config, now: t, live: false })) {
      const labels = alertLabels(rule, instance);
      found.set(fingerprint(labels), { labels, summary: instance.summary });
    }
    for (const fp of new Set([...open.keys(), ...found.keys()])) {
      const current = open.get(fp);
      const step = stepAlert(current?.ep ?? null, found.has(fp), t, timing);
      switch (step.kind) {
        case "start": {
          const hit = found.get(fp)!;
          const out: PreviewEpisode = {
            labels: hit.labels,
            summary: hit.summary,
            activeAt: t,
            firedAt: step.episode.firedAt,
            endedAt: null,
          };
          if (out.firedAt !== null) fired.push(out);
          open.set(fp, { ep: step.episode, out });
          break;
        }
        case "fire":
          current!.out.firedAt = t;
          fired.push(current!.out);
          current!.ep = step.episode;
          break;
        case "touch":
          current!.ep = step.episode;
          break;
        case "clear":
          pendingOnly++;
          open.delete(fp);
          break;
        case "resolve":
          current!.out.endedAt = t;
          open.delete(fp);
          break;
        case "none":
          break;
      }
    }
  }
  return {
    ...range,
    evaluations,
    fired,
    pendingOnly,
    tookMs: performance.now() - started,
  };
}

export const PREVIEW_RANGES = {
  "24h": { ms: 86_400_000, stepMs: 60_000 },
  "7d": { ms: 7 * 86_400_000, stepMs: 300_000 },
  "30d": { ms: 30 * 86_400_000, stepMs: 1_200_000 },
} as const;
export type PreviewRange = keyof typeof PREVIEW_RANGES;

/**
 * The replay's step: the range's, but short enough that an event condition's `within`
 * (a deploy, a failed job) is sampled at least twice, so no event falls between steps.
 */
export function previewStep(rule: AlertRuleConfig, rangeStepMs: number): number {
  const c = rule.condition;
  if (c.type === "deployment" || c.type === "job")
    return Math.min(rangeStepMs, Math.max(60_000, Math.floor(c.within / 2)));
  return rangeStepMs;
}
