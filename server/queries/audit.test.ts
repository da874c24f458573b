import { describe, expect, it } from "vitest";
import { recordAudit } from "@/server/audit/write";
import type { Db } from "@/server/db";
import { freshDb } from "@/test/db";
import { auditActions, auditPage } from "./audit";

const meta = { ip: "192.0.2.1", userAgent: "vitest", requestId: null };

function signIns(db: Db, emails: string[]) {
  for (const email of emails) {
    recordAudit(db, { id: null, name: email, role: null }, meta, { action: "auth.login" });
  }
}

const actors = (db: Db, actor: string) => auditPage(db, { actor }).rows.map((r) => r.actorName);

describe("audit page actor filter", () => {
  it("matches `_`, `%` and `\\` in an email literally", () => {
    const db = freshDb();
    signIns(db, [
      "first_last@example.com",
      "firstxlast@example.com",
      "100%sure@example.com",
      "100xsure@example.com",
      "back\\slash@example.com",
      "backslash@example.com",
    ]);
    expect(actors(db, "first_last")).toEqual(["first_last@example.com"]);
    expect(actors(db, "100%sure")).toEqual(["100%sure@example.com"]);
    expect(actors(db, "back\\slash")).toEqual(["back\\slash@example.com"]);
    expect(actors(db, "_")).toEqual(["first_last@example.com"]);
    expect(actors(db, "%")).toEqual(["100%sure@example.com"]);
  });

  it("ignores case, as an email address does", () => {
    const db = freshDb();
    signIns(db, ["Ada.Lovelace@Example.com", "grace@example.com"]);
    expect(actors(db, "ada.lovelace@example.COM")).toEqual(["Ada.Lovelace@Example.com"]);
  });

  it("treats `_` in an action prefix literally", () => {
    const db = freshDb();
    for (const action of ["users.reset_password", "users.resetxpassword", "users_x.create"]) {
      recordAudit(db, { id: 1, name: "ada@example.com", role: "admin" }, meta, { action });
    }
    expect(auditPage(db, { action: "users_x" }).rows.map((r) => r.action)).toEqual([
      "users_x.create",
    ]);
    expect(auditPage(db, { action: "users.reset_password" }).rows.map((r) => r.action)).toEqual([
      "users.reset_password",
    ]);
  });
});

describe("audit action suggestions", () => {
  it("lists each action once, in order", () => {
    const db = freshDb();
    for (const action of [
      "users.create",
      "auth.login",
      "users.create",
      "jobs.start",
      "auth.login",
    ]) {
      recordAudit(db, { id: 1, name: "ada@example.com", role: "admin" }, meta, { action });
    }
    expect(auditActions(db)).toEqual(["auth.login", "jobs.start", "users.create"]);
    expect(auditActions(freshDb())).toEqual([]);
  });
});
