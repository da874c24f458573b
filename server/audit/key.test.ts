import fs from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { freshDb } from "@/test/db";
import { AUDIT_KEY_FILE } from "./key";
import { verifyAuditChain } from "./verify";
import { recordAudit } from "./write";

const setting = vi.hoisted(() => ({ key: undefined as string | undefined }));
vi.mock("@/env", async (importOriginal) => {
  const mod = await importOriginal<typeof import("@/env")>();
  const env = new Proxy(mod.env, {
    get: (target, prop) => (prop === "OPSDECK_AUDIT_KEY" ? setting.key : Reflect.get(target, prop)),
  });
  return { ...mod, env };
});

const actor = { id: null, name: "cli", role: null };
const meta = { ip: null, userAgent: null, requestId: null };

describe("OPSDECK_AUDIT_KEY", () => {
  it("keys the chain with the variable, writes no key file, and names the variable when it changes", () => {
    setting.key = "k".repeat(40);
    const db = freshDb();
    recordAudit(db, actor, meta, { action: "users.create" });
    expect(fs.existsSync(path.join(path.dirname(db.$client.name), AUDIT_KEY_FILE))).toBe(false);
    expect(verifyAuditChain(db)).toMatchObject({ ok: true, rows: 1 });

    // Rotating OPSDECK_SECRET is no concern of the chain; changing this variable is refused.
    setting.key = "z".repeat(40);
    expect(() => verifyAuditChain(db)).toThrow(
      /OPSDECK_AUDIT_KEY.*not the key this audit log was started with.*Set OPSDECK_AUDIT_KEY back/s,
    );
    expect(() => recordAudit(db, actor, meta, { action: "users.create" })).toThrow(
      /not the key this audit log was started with/,
    );
    setting.key = "k".repeat(40);
    expect(verifyAuditChain(db)).toMatchObject({ ok: true, rows: 1 });
  });
});
