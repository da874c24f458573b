import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { env } from "@/env";
import { getConfig, setConfigForTests } from "@/server/config";
import { parseConfigText } from "@/server/config/load";
import { openDatabase, setDb, type Db } from "@/server/db";
import { auditLog, backups, jobs, leases, users } from "@/server/db/schema";
import { enqueueJob } from "@/server/jobs/queue";
import { JobRunner } from "@/server/jobs/runner";
import "@/server/jobs/kinds";
import { until } from "@/test/until";

const MINIMAL = `environments: [{ id: production, name: Production }]\n`;
const parse = (extra = "") => parseConfigText(MINIMAL + extra, "test.yaml", () => undefined);

describe("Opsdeck's own backup job", () => {
  it("is there by default: the data directory's database, daily, into <data dir>/backups, with retention", () => {
    const job = parse().backups.find((b) => b.id === "opsdeck");
    expect(job).toMatchObject({
      source: { type: "sqlite", path: path.join(path.resolve(env.OPSDECK_DATA_DIR), "opsdeck.db") },
      destination: {
        type: "local",
        path: path.join(path.resolve(env.OPSDECK_DATA_DIR), "backups"),
      },
      schedule: "0 3 * * *",
      retention: { days: 14 },
    });
  });

  it("takes its folder, schedule and retention from the config, and can be turned off", () => {
    const set = parse(
      `selfBackup: { path: /srv/opsdeck-backups, schedule: "15 1 * * *", retention: { days: 60 } }\n`,
    ).backups.find((b) => b.id === "opsdeck");
    expect(set).toMatchObject({
      destination: { path: "/srv/opsdeck-backups" },
      schedule: "15 1 * * *",
      retention: { days: 60 },
    });
    expect(parse("selfBackup: { enabled: false }\n").backups).toEqual([]);
    expect(() =>
      parse(
        `services: [{ id: s, name: S, environments: { production: { url: "http://x.test" } } }]\nbackups: [{ id: opsdeck, service: s, environment: production, source: { type: sqlite, path: /x.db }, destination: { type: local, path: /b } }]\n`,
      ),
    ).toThrow(/backups\[0\]\.id: "opsdeck" is Opsdeck's own backup job/);
  });
});

describe("backing up and restoring Opsdeck's own database", () => {
  const runners: JobRunner[] = [];
  const original = getConfig().config;
  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop(500);
    setConfigForTests(original);
  });

  function restoreSelf(dataDir: string, args: string[]) {
    const child = spawn(
      process.execPath,
      ["--conditions=react-server", "--import", "tsx", "scripts/restore-self.ts", ...args],
      {
        env: { ...process.env, NODE_ENV: "test", OPSDECK_DATA_DIR: dataDir },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    return new Promise<{ code: number | null; out: string }>((resolve) =>
      child.on("close", (code) => resolve({ code, out })),
    );
  }

  it("the job makes a verified backup; the script refuses while Opsdeck runs, then restores into the stopped data directory", async () => {
    // A data directory of its own plays the part of Opsdeck's (the job's paths follow it).
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-self-"));
    const db: Db = openDatabase(dataDir);
    setDb(db);
    const config = parse();
    setConfigForTests({
      ...config,
      backups: config.backups.map((b) =>
        b.id === "opsdeck"
          ? {
              ...b,
              source: { type: "sqlite" as const, path: path.join(dataDir, "opsdeck.db") },
              destination: { type: "local" as const, path: path.join(dataDir, "backups") },
            }
          : b,
      ),
    });
    db.insert(users).values({ email: "before@example.com", name: "Before", role: "viewer" }).run();
    const runner = new JobRunner(db, { concurrency: 1, pollMs: 20 });
    runners.push(runner);
    runner.start();
    const { job } = enqueueJob(db, {
      kind: "backup.run",
      params: { backup: "opsdeck", kind: "manual" },
      requestedBy: { id: null, name: "test" },
    });
    const status = () => db.select().from(jobs).where(eq(jobs.id, job.id)).get()!.status;
    await until(() => status() !== "queued" && status() !== "running", "the backup", 60_000);
    expect(db.select().from(jobs).where(eq(jobs.id, job.id)).get()).toMatchObject({
      status: "succeeded",
    });
    const made = db.select().from(backups).where(eq(backups.jobId, "opsdeck")).get()!;
    expect(made).toMatchObject({ status: "verified", verified: true });
    expect(path.dirname(made.file!)).toBe(path.join(path.resolve(dataDir), "backups"));
    await runner.stop(500);
    runners.length = 0;

    // Things change after the backup…
    db.insert(users).values({ email: "after@example.com", name: "After", role: "admin" }).run();
    // …and Opsdeck is still running (it holds the scheduler lease): the script refuses.
    db.insert(leases)
      .values({
        name: "scheduler",
        holder: "opsdeck-host:1234:abcd",
        expiresAt: new Date(Date.now() + 60_000),
        acquiredAt: new Date(),
      })
      .run();
    const refused = await restoreSelf(dataDir, [made.file!, "--yes"]);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/Opsdeck is running on this database/);
    expect(
      db
        .select()
        .from(users)
        .all()
        .map((u) => u.email),
    ).toContain("after@example.com");

    // Opsdeck stops (its lease is released), then the script restores.
    db.update(leases)
      .set({ expiresAt: new Date(0) })
      .run();
    db.$client.close();
    const done = await restoreSelf(dataDir, [made.file!, "--yes"]);
    expect(done.out).toMatch(/Restored\./);
    expect(done.code).toBe(0);

    const restored = openDatabase(dataDir);
    expect(
      restored
        .select()
        .from(users)
        .all()
        .map((u) => u.email),
    ).toEqual(["before@example.com"]);
    expect(
      restored.select().from(auditLog).where(eq(auditLog.action, "backups.restore_self")).all(),
    ).toEqual([expect.objectContaining({ actorName: "cli", targetId: path.basename(made.file!) })]);
    const safety = fs
      .readdirSync(path.join(path.resolve(dataDir), "backups", "safety"))
      .filter((f) => f.startsWith("opsdeck_pre-restore-self_"));
    expect(safety).toHaveLength(1);
    restored.$client.close();
  }, 90_000);

  it("refuses a file that is not an Opsdeck database, changing nothing", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-self-other-"));
    const other = path.join(dir, "navi.db");
    const Database = (await import("better-sqlite3")).default;
    const d = new Database(other);
    d.exec("create table taps (id integer primary key)");
    d.close();
    const zlib = await import("node:zlib");
    fs.writeFileSync(`${other}.gz`, zlib.gzipSync(fs.readFileSync(other)));
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-self-data-"));
    const result = await restoreSelf(dataDir, [`${other}.gz`, "--yes"]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/is not an Opsdeck database/);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  }, 60_000);
});
