import { renderToStaticMarkup } from "react-dom/server";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { seedAlerts } from "@/test/alerts";
import { freshDb } from "@/test/db";
import type { SessionUser } from "@/server/auth/session";
import { setConfigForTests } from "@/server/config";
import { parseConfigText } from "@/server/config/load";
import type { Db } from "@/server/db";
import AlertPage from "./[id]/page";
import AlertsPage from "./page";

let user: SessionUser = { id: 1, email: "viewer@example.com", name: "V", role: "viewer" };
vi.mock("@/server/auth/session", () => ({
  requirePageUser: async () => user,
  getSessionUser: async () => user,
}));
// The page's live refresh needs the layout's live cache, which this test does not render.
vi.mock("@/components/live/live-refresh", () => ({ LiveRefresh: () => null }));
// The viewer's zone comes from their setting or a cookie of the request; here, UTC.
vi.mock("@/server/preferences/viewer-time-zone", () => ({ viewerTimeZone: async () => "UTC" }));
vi.mock("next/navigation", () => ({
  useRouter: () => ({ refresh() {}, push() {}, replace() {} }),
  notFound: () => {
    throw new Error("not found");
  },
}));

let db: Db;
const t0 = Date.parse("2026-11-27T12:00:00Z");
beforeAll(() => {
  db = freshDb();
  setConfigForTests(
    parseConfigText(
      `
environments: [{ id: production, name: Production }]
alerts:
  rules:
    - { id: many, name: Many, severity: warning, condition: { type: job } }
`,
      "test.yaml",
      () => undefined,
    ),
  );
  seedAlerts(db, t0);
});

async function render(search: Record<string, string>) {
  return renderToStaticMarkup(await AlertsPage({ searchParams: Promise.resolve(search) }));
}
const alertIds = (html: string) =>
  [...html.matchAll(/data-testid="alert-(\d+)"/g)].map((m) => Number(m[1]));
const historyIds = (html: string) =>
  [...html.matchAll(/<a class="underline" href="\/alerts\/(\d+)">/g)].map((m) => Number(m[1]));
function nextHref(html: string): Record<string, string> | undefined {
  const m = /<a class="underline" rel="next" href="([^"]+)"/.exec(html);
  if (!m) return undefined;
  const url = new URL(m[1]!.replaceAll("&amp;", "&"), "http://x");
  return Object.fromEntries(url.searchParams);
}

describe("the Alerts page with 10,000 alerts", () => {
  it("renders one page of firing and pending alerts, and its next link continues", async () => {
    const html = await render({});
    expect(alertIds(html)).toHaveLength(50);
    expect(alertIds(html)[0]).toBe(10_000);
    expect(html).toContain("7000 firing or pending; showing 50, newest first");
    expect(html.length).toBeLessThan(200_000);
    const next = nextHref(html)!;
    const second = await render(next);
    expect(alertIds(second)).toHaveLength(50);
    expect(alertIds(second)[0]).toBe(alertIds(html).at(-1)! - 1);
    expect(second).toContain("Back to the start");
  });

  it("an operator's page has the actions, still one page of them", async () => {
    user = { id: 2, email: "op@example.com", name: "O", role: "operator" };
    const html = await render({});
    expect(html.match(/>Acknowledge</g)).toHaveLength(50);
    user = { id: 1, email: "viewer@example.com", name: "V", role: "viewer" };
  });

  it("a page cannot be made bigger than the cap", async () => {
    expect(alertIds(await render({ limit: "100000" }))).toHaveLength(100);
  });

  it("history: one page, and Older continues with the filter kept", async () => {
    const html = await render({ tab: "history", state: "resolved" });
    const first = historyIds(html);
    expect(first).toHaveLength(50);
    expect(first[0]).toBe(3000);
    const next = nextHref(html)!;
    expect(next).toMatchObject({ tab: "history", state: "resolved", before: "2951" });
    expect(historyIds(await render(next))[0]).toBe(2950);
  });

  it("an alert's page shows one page of its 1,000 transitions, and the next continues", async () => {
    const page = async (search: Record<string, string>) =>
      renderToStaticMarkup(
        await AlertPage({
          params: Promise.resolve({ id: "1" }),
          searchParams: Promise.resolve(search),
        }),
      );
    const html = await page({});
    const rows = (h: string) =>
      /data-testid="transitions">([\s\S]*?)<\/table>/.exec(h)![1]!.split('<tr class="border-t')
        .length - 1;
    expect(rows(html)).toBe(50);
    const next = nextHref(html)!;
    expect(next).toEqual({ transitionsAfter: "50" });
    expect(rows(await page(next))).toBe(50);
  });
});
