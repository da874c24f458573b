import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase } from "@/server/db";
import { auditLog, users } from "@/server/db/schema";

const root = path.resolve(__dirname, "..");
const run = promisify(execFile);

/** Runs `npm run user -- …` against `dataDir`; resolves with its exit code and output. */
async function cli(dataDir: string, ...args: string[]) {
  try {
    const out = await run(
      path.join(root, "node_modules", ".bin", "tsx"),
      ["--conditions=react-server", "scripts/user.ts", ...args],
      { cwd: root, env: { ...process.env, OPSDECK_DATA_DIR: dataDir, LOG_LEVEL: "warn" } },
    );
    return { code: 0, out: out.stdout + out.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

const create = (dir: string, email: string, ...more: string[]) =>
  cli(
    dir,
    "create",
    "--email",
    email,
    "--name",
    "Ana",
    "--role",
    "admin",
    "--password",
    "a-long-enough-pw",
    ...more,
  );

describe("npm run user", () => {
  it("is a thin adapter over the users services (no verb of its own)", () => {
    const text = fs.readFileSync(path.join(root, "scripts", "user.ts"), "utf8");
    expect(text).toMatch(/from "\.\.\/server\/services\/users\//);
    expect(text).not.toMatch(/writeAudit|hashPassword|\.transaction\(/);
    expect(text).toMatch(/kind: "cli"/);
  });

  it(
    "creates, refuses a duplicate, and resets a password the way the admin page does",
    { timeout: 120_000 },
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-cli-"));
      expect(await create(dir, "Ana@Example.com")).toMatchObject({
        code: 0,
        out: expect.stringContaining("Created admin ana@example.com"),
      });
      expect(await create(dir, "ana@example.com")).toMatchObject({
        code: 1,
        out: expect.stringContaining("already exists"),
      });
      expect((await create(dir, "ana@example.com", "--if-missing")).code).toBe(0);
      expect(
        await cli(dir, "create", "--email", "x@example.com", "--password", "short"),
      ).toMatchObject({
        code: 1,
        out: expect.stringContaining("Password must be at least 12 characters"),
      });

      const db = openDatabase(dir);
      db.update(users).set({ disabled: true }).where(eq(users.email, "ana@example.com")).run();
      const before = db.select().from(users).where(eq(users.email, "ana@example.com")).get()!;
      db.insert(users)
        .values({
          email: "sso@example.com",
          name: "Sso",
          role: "viewer",
          provider: "oidc",
          oidcSubject: "x#1",
        })
        .run();
      db.$client.close();

      expect(
        await cli(
          dir,
          "reset-password",
          "--email",
          "ana@example.com",
          "--password",
          "another-long-pw",
        ),
      ).toMatchObject({ code: 0 });
      // An account that signs in through single sign-on has no password here, from the CLI either.
      expect(
        await cli(
          dir,
          "reset-password",
          "--email",
          "sso@example.com",
          "--password",
          "another-long-pw",
        ),
      ).toMatchObject({
        code: 1,
        out: expect.stringContaining("single sign-on"),
      });
      expect(
        await cli(
          dir,
          "reset-password",
          "--email",
          "nobody@example.com",
          "--password",
          "another-long-pw",
        ),
      ).toMatchObject({
        code: 1,
        out: expect.stringContaining("No user with the email nobody@example.com"),
      });

      const after = openDatabase(dir);
      const ana = after.select().from(users).where(eq(users.email, "ana@example.com")).get()!;
      expect(ana.disabled).toBe(false);
      expect(ana.sessionVersion).toBeGreaterThan(before.sessionVersion);
      expect(
        after.select().from(users).where(eq(users.email, "sso@example.com")).get()!.passwordHash,
      ).toBeNull();
      expect(
        after
          .select()
          .from(auditLog)
          .all()
          .map((r) => [r.actorName, r.action, r.outcome]),
      ).toEqual([
        ["cli", "users.create", "success"],
        ["cli", "users.reset_password", "success"],
        ["cli", "users.enable", "success"],
      ]);
      after.$client.close();
    },
  );
});
