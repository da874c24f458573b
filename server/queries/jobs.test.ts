import { beforeEach, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import type { Db } from "@/server/db";
import { jobs } from "@/server/db/schema";
import { JOBS_PAGE_MAX, jobsPage } from "./jobs";

let db: Db;
beforeEach(() => {
  db = freshDb();
  db.insert(jobs)
    .values(
      Array.from({ length: 260 }, (_, i) => ({
        kind: i % 2 ? "backup.run" : "db.maintenance",
        params: {},
        requestedByName: `n${i}`,
        status: "succeeded" as const,
      })),
    )
    .run();
});

describe("the jobs list", () => {
  it("is keyset-paged, newest first, from any page to the next without gaps or repeats", () => {
    const seen: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = jobsPage(db, { before, limit: 50 });
      expect(page.rows.length).toBeLessThanOrEqual(50);
      seen.push(...page.rows.map((j) => j.id));
      if (page.nextBefore === null) break;
      before = page.nextBefore;
    }
    expect(seen).toEqual(Array.from({ length: 260 }, (_, i) => 260 - i));
  });

  it(`never returns more than ${JOBS_PAGE_MAX} rows, whatever is asked`, () => {
    expect(jobsPage(db, { limit: 10_000 }).rows).toHaveLength(JOBS_PAGE_MAX);
    expect(jobsPage(db, { limit: -5 }).rows).toHaveLength(1);
  });

  it("filters by kind and status", () => {
    const page = jobsPage(db, { kind: "backup.run", limit: 10 });
    expect(page.rows.every((j) => j.kind === "backup.run")).toBe(true);
    expect(jobsPage(db, { status: "failed" }).rows).toEqual([]);
  });
});
