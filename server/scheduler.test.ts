import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { openDatabase } from "@/server/db";
import { jobs } from "@/server/db/schema";
import { defineJobKind } from "@/server/jobs/registry";
import { Scheduler } from "./scheduler";

defineJobKind({ kind: "test.tick", title: "tick", params: z.object({}), run: async () => ({}) });

function dbs() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-sched-"));
  return [openDatabase(dir), openDatabase(dir)] as const;
}
const hourly = { name: "hourly", cron: "0 * * * *", kind: "test.tick", params: {} };
const at = (iso: string) => Date.parse(iso);

describe("scheduler", () => {
  it("a new schedule waits for its next slot, then runs once per slot", () => {
    const [db] = dbs();
    const s = new Scheduler(db, "a");
    s.setSchedules([hourly]);
    expect(s.tick(at("2026-11-27T10:30:00Z"))).toBe(0);
    expect(s.tick(at("2026-11-27T10:59:59Z"))).toBe(0);
    expect(s.tick(at("2026-11-27T11:00:00Z"))).toBe(1);
    expect(s.tick(at("2026-11-27T11:00:01Z"))).toBe(0);
    expect(
      db
        .select()
        .from(jobs)
        .all()
        .map((j) => j.idempotencyKey),
    ).toEqual(["schedule:hourly:2026-11-27T11:00:00.000Z"]);
  });

  it("slots missed while down run once, not once per missed slot", () => {
    const [db] = dbs();
    const s = new Scheduler(db, "a");
    s.setSchedules([hourly]);
    s.tick(at("2026-11-27T10:30:00Z"));
    // Down from 10:30 to 15:10: four slots missed.
    const restarted = new Scheduler(db, "b", { leaseTtlMs: 30_000 });
    restarted.setSchedules([hourly]);
    expect(restarted.tick(at("2026-11-27T15:10:00Z"))).toBe(1);
    expect(db.select().from(jobs).all()).toHaveLength(1);
    expect(restarted.tick(at("2026-11-27T15:20:00Z"))).toBe(0);
  });

  it("only the lease holder schedules; the other takes over when the lease expires", () => {
    const [dbA, dbB] = dbs();
    const a = new Scheduler(dbA, "a", { leaseTtlMs: 30_000 });
    const b = new Scheduler(dbB, "b", { leaseTtlMs: 30_000 });
    a.setSchedules([hourly]);
    b.setSchedules([hourly]);
    a.tick(at("2026-11-27T10:30:00Z"));
    b.tick(at("2026-11-27T10:30:01Z"));
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
    a.tick(at("2026-11-27T11:00:00Z"));
    expect(b.tick(at("2026-11-27T11:00:00Z"))).toBe(0);
    dbA.update(jobs).set({ status: "succeeded" }).run();
    // a dies; b takes over after the lease runs out and catches up 12:00.
    expect(b.tick(at("2026-11-27T12:00:05Z"))).toBe(1);
    expect(b.isLeader).toBe(true);
    expect(dbA.select().from(jobs).all()).toHaveLength(2);
  });

  it("a slow run is not overlapped by the next slot", () => {
    const [db] = dbs();
    const s = new Scheduler(db, "a");
    s.setSchedules([{ ...hourly, cron: "* * * * *" }]);
    s.tick(at("2026-11-27T10:00:30Z"));
    s.tick(at("2026-11-27T10:01:00Z"));
    s.tick(at("2026-11-27T10:02:00Z"));
    const rows = db.select().from(jobs).all();
    // The 10:02 slot found 10:01's job still queued and reused it.
    expect(rows).toHaveLength(1);
  });
});

describe("schedules that run when new", () => {
  it("run once at first sight, then keep to their slots", () => {
    const [db] = dbs();
    const s = new Scheduler(db, "a");
    s.setSchedules([{ ...hourly, name: "backup", runWhenNew: true }]);
    expect(s.tick(at("2026-11-27T10:30:00Z"))).toBe(1);
    expect(s.tick(at("2026-11-27T10:45:00Z"))).toBe(0);
    db.update(jobs).set({ status: "succeeded" }).run();
    expect(s.tick(at("2026-11-27T11:00:00Z"))).toBe(1);
  });
});
