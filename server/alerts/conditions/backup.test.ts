import { beforeEach, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { backups, jobs } from "@/server/db/schema";
import { backupCondition } from "./backup";

let db: Db;
beforeEach(() => {
  db = freshDb();
});

const MIN = 60_000;
const boot = Date.parse("2026-12-01T09:00:00Z");
const config = {
  backups: [
    {
      id: "navi-db",
      name: "Navi database",
      service: "backend",
      environment: "production",
      schedule: "0 2 * * *",
    },
  ],
} as unknown as OpsdeckConfig;
const rule = { type: "backup", backups: [], maxAge: 26 * 60 * MIN, onFailure: true } as const;
const evaluate = (now: number) =>
  backupCondition(rule as never, { db, config, now, live: true }).map((i) => i.summary);

function queueFirstRun(at: number) {
  db.insert(jobs)
    .values({
      kind: "backup.run",
      params: { backup: "navi-db", kind: "scheduled" },
      requestedByName: "schedule:backup:navi-db",
      createdAt: new Date(at),
    })
    .run();
}

function backupRow(
  startedAt: number,
  status: "running" | "verified" | "failed",
  finishedAt?: number,
) {
  db.insert(backups)
    .values({
      jobId: "navi-db",
      kind: "scheduled",
      status,
      startedAt: new Date(startedAt),
      finishedAt: finishedAt === undefined ? null : new Date(finishedAt),
      verified: status === "verified",
      error: status === "failed" ? "disk full" : null,
      requestedBy: "schedule",
    })
    .run();
}

describe("backup condition before the job's first run", () => {
  it("does not fire at first boot while the first run is queued or running", () => {
    expect(evaluate(boot)).toEqual([]);
    queueFirstRun(boot + 1_000);
    expect(evaluate(boot + 2_000)).toEqual([]);
    backupRow(boot + 2_000, "running");
    expect(evaluate(boot + 3_000)).toEqual([]);
  });

  it("stays quiet once the first run is verified, and fires when that backup grows old", () => {
    queueFirstRun(boot);
    backupRow(boot + 1_000, "verified", boot + 5_000);
    expect(evaluate(boot + 10_000)).toEqual([]);
    expect(evaluate(boot + 5_000 + 27 * 60 * MIN)).toEqual([
      "Navi database: the newest verified backup is 1d 3h old (limit 1d 2h)",
    ]);
  });

  it("fires when the first run finished without a verified backup", () => {
    queueFirstRun(boot);
    backupRow(boot + 1_000, "failed", boot + 4_000);
    expect(evaluate(boot + 5_000)).toEqual([
      "Navi database: there is no verified backup",
      "Navi database: the last backup failed: disk full",
    ]);
  });

  it("fires when the first run has not finished within maxAge (queued or hung)", () => {
    queueFirstRun(boot);
    expect(evaluate(boot + 25 * 60 * MIN)).toEqual([]);
    expect(evaluate(boot + 27 * 60 * MIN)).toEqual([
      "Navi database: there is no verified backup: the first run has not finished in 1d 3h",
    ]);
  });
});
