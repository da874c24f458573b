import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { auditLog, users } from "@/server/db/schema";
import { freshDb } from "@/test/db";
import { makeUser } from "@/test/callers";
import type { Actor } from "@/server/services/service";
import { setOwnTimeZone } from "./set-own-time-zone";

let db: Db;
beforeEach(() => {
  db = freshDb();
});

const actorOf = (u: {
  id: number;
  email: string;
  role: "viewer" | "operator" | "admin";
}): Actor => ({
  kind: "user",
  id: u.id,
  email: u.email,
  role: u.role,
});
const zoneOf = (id: number) =>
  db.select({ z: users.timeZone }).from(users).where(eq(users.id, id)).get()?.z;

describe("setOwnTimeZone", () => {
  it("a viewer sets their own zone and back to the browser's; both audited", async () => {
    const viewer = await makeUser(db, "viewer");
    await setOwnTimeZone({ actor: actorOf(viewer), db }, { timeZone: "America/New_York" });
    expect(zoneOf(viewer.id)).toBe("America/New_York");
    await setOwnTimeZone({ actor: actorOf(viewer), db }, { timeZone: null });
    expect(zoneOf(viewer.id)).toBeNull();
    const rows = db.select().from(auditLog).all();
    expect(rows.map((r) => [r.action, r.outcome, r.targetId])).toEqual([
      ["preferences.set_time_zone", "success", String(viewer.id)],
      ["preferences.set_time_zone", "success", String(viewer.id)],
    ]);
    expect(rows[0]!.details).toEqual({ from: "browser", to: "America/New_York" });
  });

  it("refuses a zone that is not on the list, changing nothing", async () => {
    const viewer = await makeUser(db, "viewer");
    for (const bad of ["Mars/Olympus", "+01:00", "", "Europe/Berlin; DROP"]) {
      await expect(
        setOwnTimeZone({ actor: actorOf(viewer), db }, { timeZone: bad }),
      ).rejects.toMatchObject({ status: 400 });
    }
    expect(zoneOf(viewer.id)).toBeNull();
    expect(db.select().from(auditLog).all()).toEqual([]);
  });

  it("cannot set another user's zone: a userId is refused and the other user is untouched", async () => {
    const admin = await makeUser(db, "admin");
    const other = await makeUser(db, "viewer");
    await expect(
      setOwnTimeZone(
        { actor: actorOf(admin), db },
        // @ts-expect-error -- the input has no userId; a caller that sends one is refused
        { timeZone: "Asia/Tokyo", userId: other.id },
      ),
    ).rejects.toMatchObject({ status: 400 });
    expect(zoneOf(other.id)).toBeNull();
    expect(zoneOf(admin.id)).toBeNull();
  });

  it("the CLI has no zone of its own", async () => {
    await expect(
      setOwnTimeZone({ actor: { kind: "cli" }, db }, { timeZone: "UTC" }),
    ).rejects.toMatchObject({ status: 400 });
  });
});
