import { describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import { makeUser } from "@/test/callers";
import { auditLog, jobs } from "@/server/db/schema";
import { ServiceError } from "@/server/services/service";
import { startJob } from "./start-job";

describe("starting an audit archive by hand", () => {
  it("queues the archive with the admin's settings, audited; refuses bad settings and other roles", async () => {
    const db = freshDb();
    const admin = await makeUser(db, "admin");
    const operator = await makeUser(db, "operator");
    const asAdmin = {
      actor: { kind: "user" as const, id: admin.id, email: admin.email, role: admin.role },
      db,
    };

    const { jobId } = await startJob(asAdmin, {
      kind: "audit.archive",
      archive: { olderThanDays: 30 },
    });
    const job = db
      .select()
      .from(jobs)
      .all()
      .find((j) => j.id === jobId)!;
    expect(job).toMatchObject({
      kind: "audit.archive",
      params: { olderThanDays: 30 },
      status: "queued",
    });
    expect(db.select().from(auditLog).all().at(-1)).toMatchObject({
      action: "jobs.start",
      actorName: admin.email,
      details: { kind: "audit.archive", archive: { olderThanDays: 30 } },
    });

    const refused = async (
      input: Parameters<typeof startJob>[1],
      status: number,
      message: RegExp,
    ) => {
      const err = await startJob(asAdmin, input).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServiceError);
      expect(err).toMatchObject({ status, message: expect.stringMatching(message) });
    };
    await refused(
      { kind: "audit.archive", archive: { olderThanDays: -1 } },
      400,
      /cannot be negative/,
    );
    await refused({ kind: "audit.archive", archive: { upToId: 1.5 } }, 400, /whole number/);
    await refused(
      { kind: "db.maintenance", archive: { olderThanDays: 1 } },
      400,
      /Only the audit archive/,
    );
    expect(db.select().from(jobs).all()).toHaveLength(1);

    const err = await startJob(
      { actor: { kind: "user", id: operator.id, email: operator.email, role: operator.role }, db },
      { kind: "audit.archive" },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 403 });
    expect(db.select().from(jobs).all()).toHaveLength(1);
  });
});
