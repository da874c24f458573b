import { beforeAll, describe, expect, it } from "vitest";
import { seedAlerts } from "@/test/alerts";
import { freshDb } from "@/test/db";
import { parseConfigText } from "@/server/config/load";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import {
  activeAlerts,
  alertHistory,
  alertNotifications,
  alertTransitionsPage,
  MAX_PAGE_SIZE,
  PAGE_SIZE,
} from "./alerts";

const YAML = `
environments: [{ id: production, name: Production }]
services:
  - { id: backend, name: Backend, environments: { production: { url: "http://127.0.0.1:1" } } }
alerts:
  rules:
    - { id: many, severity: warning, condition: { type: job } }
`;

let db: Db;
let config: OpsdeckConfig;
const t0 = Date.parse("2026-11-27T12:00:00Z");
const N = 10_000;
beforeAll(() => {
  db = freshDb();
  config = parseConfigText(YAML, "test.yaml", () => undefined);
  seedAlerts(db, t0);
});

function walk<T extends { id: number }>(
  first: { items: T[]; next: string | null },
  more: (cursor: string) => { items: T[]; next: string | null },
) {
  const seen: number[] = [];
  let page = first;
  let pages = 1;
  for (;;) {
    expect(page.items.length).toBeLessThanOrEqual(PAGE_SIZE);
    seen.push(...page.items.map((a) => a.id));
    if (!page.next) break;
    page = more(page.next);
    pages++;
  }
  return { seen, pages };
}

describe("alert lists are pages", () => {
  it("firing and pending: one page of 50, and next continues without gaps or repeats, newest first", () => {
    const first = activeAlerts(db, config, { now: t0 });
    expect(first.items).toHaveLength(PAGE_SIZE);
    expect(first.total).toBe(7000);
    expect(first.items[0]!.id).toBe(N);
    const { seen, pages } = walk(first, (after) => activeAlerts(db, config, { now: t0, after }));
    expect(pages).toBe(140);
    expect(new Set(seen).size).toBe(7000);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
  });

  it("the Overview's firing list: the first few, and how many there are", () => {
    const firing = activeAlerts(db, config, { now: t0, state: "firing", limit: 6 });
    expect(firing.items.map((a) => a.state)).toEqual(Array(6).fill("firing"));
    expect(firing.total).toBe(6000);
  });

  it("history: newest first, filters apply, next continues", () => {
    const first = alertHistory(db, config, {});
    expect(first.items).toHaveLength(PAGE_SIZE);
    expect(first.items[0]!.id).toBe(N);
    const resolved = walk(alertHistory(db, config, { state: "resolved" }), (before) =>
      alertHistory(db, config, { state: "resolved", before: Number(before) }),
    );
    expect(resolved.seen).toHaveLength(3000);
    expect(resolved.seen.at(-1)).toBe(1);
  });

  it("a page never holds more than the hard cap, whatever is asked", () => {
    expect(activeAlerts(db, config, { now: t0, limit: 100_000 }).items).toHaveLength(MAX_PAGE_SIZE);
    expect(alertHistory(db, config, {}, 100_000).items).toHaveLength(MAX_PAGE_SIZE);
    expect(alertTransitionsPage(db, 1, { limit: 100_000 }).items).toHaveLength(MAX_PAGE_SIZE);
  });

  it("an alert's transitions and notifications are paged oldest first", () => {
    const first = alertTransitionsPage(db, 1, {});
    expect(first.items).toHaveLength(PAGE_SIZE);
    const all = walk(first, (after) => alertTransitionsPage(db, 1, { after: Number(after) }));
    expect(all.seen).toHaveLength(1000);
    expect(all.seen).toEqual([...all.seen].sort((a, b) => a - b));
    const sent = walk(alertNotifications(db, 1, {}), (after) =>
      alertNotifications(db, 1, { after: Number(after) }),
    );
    expect(sent.seen).toHaveLength(300);
  });

  it("a malformed cursor starts from the first page", () => {
    expect(activeAlerts(db, config, { now: t0, after: "nonsense" }).items[0]!.id).toBe(N);
  });
});
