import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { openDatabase } from "@/server/db";
import { jobs } from "@/server/db/schema";
import { enqueueJob } from "@/server/jobs/queue";
import { defineJobKind } from "@/server/jobs/registry";
import { Scheduler } from "./scheduler";

defineJobKind({ kind: "test.drill", title: "drill", params: z.object({}), run: async () => ({}) });
defineJobKind({
  kind: "test.restore",
  title: "restore",
  params: z.object({}),
  run: async () => ({}),
});

const at = (iso: string) => Date.parse(iso);

describe("scheduled slots and other jobs' locks", () => {
  it("a slot whose lock another kind of job holds waits for it, instead of counting that job as its run", () => {
    const db = openDatabase(fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-sched-lock-")));
    const s = new Scheduler(db, "a");
    const drill = {
      name: "drill:navi-db",
      cron: "0 4 * * 0",
      kind: "test.drill",
      params: {},
      lockKey: "backup:navi-db",
    };
    s.setSchedules([drill]);
    s.tick(at("2026-11-29T03:00:00Z"));
    // An admin's restore of the same database is running when the drill's slot comes.
    const restore = enqueueJob(db, {
      kind: "test.restore",
      params: {},
      requestedBy: { id: null, name: "ada" },
      lockKey: "backup:navi-db",
    }).job;
    expect(s.tick(at("2026-11-29T04:00:00Z"))).toBe(0);
    expect(s.tick(at("2026-11-29T04:00:01Z"))).toBe(0);
    expect(
      db
        .select()
        .from(jobs)
        .all()
        .map((j) => j.kind),
    ).toEqual(["test.restore"]);
    // Once the restore has finished, the drill runs, once.
    db.update(jobs).set({ status: "succeeded" }).where(eq(jobs.id, restore.id)).run();
    expect(s.tick(at("2026-11-29T04:10:00Z"))).toBe(1);
    expect(s.tick(at("2026-11-29T04:11:00Z"))).toBe(0);
    expect(
      db
        .select()
        .from(jobs)
        .all()
        .map((j) => j.kind),
    ).toEqual(["test.restore", "test.drill"]);
  });
});
