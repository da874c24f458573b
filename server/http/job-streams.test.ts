import { beforeEach, describe, expect, it, vi } from "vitest";
import { makeUser } from "@/test/callers";
import { freshDb } from "@/test/db";
import type { SessionUser } from "@/server/auth/session";
import type { Db } from "@/server/db";
import { jobLogs, jobs } from "@/server/db/schema";
import { GET as getJob } from "@/app/api/jobs/[id]/route";
import { GET as jobEvents } from "@/app/api/jobs/[id]/events/route";
import { GET as health } from "@/app/api/health/route";
import { STREAM_LIMITS } from "./stream-limits";

let caller: SessionUser | null = null;
vi.mock("@/server/auth/session", () => ({ getSessionUser: async () => caller }));

let db: Db;
let viewer: SessionUser;
let operator: SessionUser;
beforeEach(async () => {
  db = freshDb();
  viewer = await makeUser(db, "viewer");
  operator = await makeUser(db, "operator");
});

function job(kind: string, status: "queued" | "succeeded" = "succeeded") {
  const row = db
    .insert(jobs)
    .values({
      kind,
      params: {},
      requestedByName: "ada",
      status,
      progress: 40,
      progressLabel: "half",
    })
    .returning()
    .get();
  db.insert(jobLogs)
    .values({ jobId: row.id, at: new Date(), level: "info", message: "pg_dump: dumping 12 tables" })
    .run();
  return row;
}

const req = (path: string, session = "session-a") =>
  new Request(`http://opsdeck.test${path}`, {
    headers: { host: "opsdeck.test", cookie: `next-auth.session-token=${session}` },
  });
const params = (id: number) => ({ params: Promise.resolve({ id: String(id) }) });

describe("job logs are for operators on deploy and backup jobs", () => {
  it("a viewer gets a backup job's status and progress, not its log lines; an operator gets both", async () => {
    const backup = job("backup.run");
    caller = viewer;
    const seen = await (await getJob(req(`/api/jobs/${backup.id}`), params(backup.id))).json();
    expect(seen).toMatchObject({
      job: { id: backup.id, status: "succeeded", progress: 40, progressLabel: "half" },
      log: null,
      logHidden: expect.stringMatching(/operators/),
    });
    expect(JSON.stringify(seen)).not.toContain("pg_dump");
    caller = operator;
    const full = await (await getJob(req(`/api/jobs/${backup.id}`), params(backup.id))).json();
    expect(full.log.map((l: { message: string }) => l.message)).toEqual([
      "pg_dump: dumping 12 tables",
    ]);
  });

  it("a viewer's event stream of a deploy job carries no log lines; a maintenance job's does", async () => {
    const deploy = job("deploy.action");
    const maintenance = job("db.maintenance");
    caller = viewer;
    const text = await (
      await jobEvents(req(`/api/jobs/${deploy.id}/events`), params(deploy.id))
    ).text();
    expect(text).toMatch(/event: job\n/);
    expect(text).toMatch(/event: end\n/);
    expect(text).not.toMatch(/event: log\n/);
    expect(text).not.toContain("pg_dump");
    const open = await (
      await jobEvents(req(`/api/jobs/${maintenance.id}/events`), params(maintenance.id))
    ).text();
    expect(open).toMatch(/event: log\n.*pg_dump/);
  });
});

describe("live job streams are capped", () => {
  it(`refuses the ${STREAM_LIMITS.perSession + 1}th stream of a session with 429; other sessions and /api/health still answer`, async () => {
    const running = job("backup.run", "queued");
    caller = viewer;
    const open: Response[] = [];
    for (let i = 0; i < STREAM_LIMITS.perSession; i++) {
      const res = await jobEvents(req(`/api/jobs/${running.id}/events`), params(running.id));
      expect(res.status).toBe(200);
      open.push(res);
    }
    const refused = await jobEvents(req(`/api/jobs/${running.id}/events`), params(running.id));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await refused.json()).error).toMatch(/live job views/);
    // Another session is not affected, and the health check answers as before.
    const other = await jobEvents(
      req(`/api/jobs/${running.id}/events`, "session-b"),
      params(running.id),
    );
    expect(other.status).toBe(200);
    const healthBody = await (
      await health(req("/api/health"), { params: Promise.resolve({}) })
    ).json();
    expect(healthBody.checks.database).toEqual({ status: "ok" });
    // Closing one frees its place.
    await open.pop()!.body!.cancel();
    const again = await jobEvents(req(`/api/jobs/${running.id}/events`), params(running.id));
    expect(again.status).toBe(200);
    for (const res of [...open, other, again]) await res.body!.cancel();
  });

  it(`refuses streams past ${STREAM_LIMITS.total} in total`, async () => {
    const running = job("db.maintenance", "queued");
    caller = viewer;
    const open: Response[] = [];
    for (let i = 0; open.length < STREAM_LIMITS.total; i++) {
      const res = await jobEvents(
        req(
          `/api/jobs/${running.id}/events`,
          `session-${Math.floor(i / STREAM_LIMITS.perSession)}`,
        ),
        params(running.id),
      );
      expect(res.status).toBe(200);
      open.push(res);
    }
    const refused = await jobEvents(
      req(`/api/jobs/${running.id}/events`, "a-new-session"),
      params(running.id),
    );
    expect(refused.status).toBe(429);
    for (const res of open) await res.body!.cancel();
    const later = await jobEvents(
      req(`/api/jobs/${running.id}/events`, "a-new-session"),
      params(running.id),
    );
    expect(later.status).toBe(200);
    await later.body!.cancel();
  });
});
