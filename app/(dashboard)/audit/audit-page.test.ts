import { renderToStaticMarkup } from "react-dom/server";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "@/server/db";
import { freshDb } from "@/test/db";

vi.mock("@/server/auth/session", () => ({
  requirePageUser: async () => ({ id: 1, email: "ada@example.com", name: "Ada", role: "admin" }),
}));
// Rendered without Next's router: the page's buttons refresh through it after a job.
// The viewer's zone comes from their setting or a cookie of the request; here, UTC.
vi.mock("@/server/preferences/viewer-time-zone", () => ({ viewerTimeZone: async () => "UTC" }));
vi.mock("next/navigation", () => ({ useRouter: () => ({ refresh() {} }) }));

const ROWS = 50_000;
let db: Db;

/**
 * 50,000 rows: every 10th a denied `jobs.start` by the viewer, the rest admin changes.
 * Inserted directly (the page does not verify the chain; writing 50,000 MACed rows one
 * by one would only make the test slow).
 */
beforeAll(() => {
  db = freshDb();
  const insert = db.$client.prepare(
    `insert into audit_log (id, at, actor_id, actor_name, actor_role, action, target_type,
       target_id, outcome, ip, prev_hash, hash)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, '192.0.2.1', '', '')`,
  );
  const start = Date.now() - ROWS * 1000;
  db.$client.transaction(() => {
    for (let i = 1; i <= ROWS; i++) {
      const at = start + i * 1000;
      if (i % 10 === 0)
        insert.run(i, at, 3, "viewer_1@example.com", "viewer", "jobs.start", null, null, "denied");
      else
        insert.run(
          i,
          at,
          1,
          "ada@example.com",
          "admin",
          "users.change_role",
          "user",
          String(i),
          "success",
        );
    }
  })();
});

async function render(search: Record<string, string>) {
  const { default: AuditPage } = await import("./page");
  const html = renderToStaticMarkup(await AuditPage({ searchParams: Promise.resolve(search) }));
  const body = html.slice(html.indexOf("<tbody"), html.indexOf("</tbody>"));
  const ids = [...body.matchAll(/<tr[^>]*><td[^>]*>(\d+)<\/td>/g)].map((m) => Number(m[1]));
  const href = (label: string) => {
    const m = html.match(new RegExp(`<a[^>]*href="([^"]*)"[^>]*>${label}</a>`));
    if (!m) return undefined;
    const url = new URL(m[1]!.replaceAll("&amp;", "&"), "http://x");
    return Object.fromEntries(url.searchParams);
  };
  return { ids, older: href("Older →"), newer: href("← Newer") };
}

const range = (from: number, to: number, step = 1) =>
  Array.from({ length: Math.floor((from - to) / step) + 1 }, (_, i) => from - i * step);

describe("audit page on a 50,000-row log", () => {
  it("renders one page, and Older continues where it ended, Newer goes back", async () => {
    const first = await render({});
    expect(first.ids).toEqual(range(ROWS, ROWS - 49));
    expect(first.newer).toBeUndefined();
    expect(first.older).toEqual({ before: String(ROWS - 49) });

    const second = await render(first.older!);
    expect(second.ids).toEqual(range(ROWS - 50, ROWS - 99));
    const back = await render(second.newer!);
    expect(back.ids).toEqual(first.ids);
  });

  it("keeps the filters on the links and continues within the filtered rows", async () => {
    const filter = { actor: "viewer_1", action: "jobs", outcome: "denied" };
    const first = await render(filter);
    expect(first.ids).toEqual(range(ROWS, ROWS - 490, 10));
    expect(first.older).toEqual({ ...filter, before: String(ROWS - 490) });
    const second = await render(first.older!);
    expect(second.ids).toEqual(range(ROWS - 500, ROWS - 990, 10));
    expect(second.newer).toEqual({ ...filter, after: String(ROWS - 500) });
  });

  it("ends at the oldest row without an Older link", async () => {
    const last = await render({ before: "31" });
    expect(last.ids).toEqual(range(30, 1));
    expect(last.older).toBeUndefined();
  });

  it("takes a page size up to a hard cap, and keeps it on the links", async () => {
    const hundred = await render({ limit: "100" });
    expect(hundred.ids).toEqual(range(ROWS, ROWS - 99));
    expect(hundred.older).toEqual({ limit: "100", before: String(ROWS - 99) });
    const huge = await render({ limit: "1000000" });
    expect(huge.ids).toHaveLength(200);
  });
});
