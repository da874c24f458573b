import fs from "node:fs";
import path from "node:path";
import { loadEnvConfig } from "@next/env";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { makeUser } from "@/test/callers";
import { freshDb } from "@/test/db";
import { readEnvVar } from "@/env";
import { getConfig, installConfig } from "@/server/config";
import { loadConfigFile } from "@/server/config/load";
import type { Db } from "@/server/db";
import { auditLog } from "@/server/db/schema";
import type { Actor } from "@/server/services/service";
import { reloadConfig } from "./reload";

// env.ts reads OPSDECK_CONFIG once, when first imported: point it at this test's file first.
const paths = await vi.hoisted(async () => {
  const fs = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-reload-"));
  process.env.OPSDECK_CONFIG = path.join(dir, "opsdeck.yaml");
  return { dir, config: path.join(dir, "opsdeck.yaml") };
});

const yaml = (extra = "") => `
environments:
  - { id: production, name: Production }
services:
  - id: backend
    name: Backend
    environments:
      production: { url: "\${RELOAD_TEST_URL}" }
${extra}`;

const backendUrl = () => getConfig().config.services[0]!.environments.production!.url;
const writeEnvFile = (text: string) => fs.writeFileSync(path.join(paths.dir, ".env"), text);

let db: Db;
let admin: Actor;

beforeEach(async () => {
  db = freshDb();
  const user = await makeUser(db, "admin");
  admin = { kind: "user", id: user.id, email: user.email, role: "admin" };
  fs.writeFileSync(paths.config, yaml());
  writeEnvFile("RELOAD_TEST_URL=https://old.example.com\n");
  // What Next.js does when it starts: the .env files in its directory fill process.env.
  loadEnvConfig(paths.dir, false, { info: () => undefined, error: () => undefined }, true);
  installConfig(loadConfigFile(paths.config, readEnvVar));
  // Opsdeck reads .env files from its working directory, as Next does.
  vi.spyOn(process, "cwd").mockReturnValue(paths.dir);
});

afterEach(() => vi.restoreAllMocks());

describe("config reload", () => {
  it("uses a ${VAR} value changed in the .env file since start", async () => {
    expect(backendUrl()).toBe("https://old.example.com");
    writeEnvFile("RELOAD_TEST_URL=https://new.example.com\n");

    const summary = await reloadConfig({ actor: admin, db }, {});

    expect(summary.services).toBe(1);
    expect(backendUrl()).toBe("https://new.example.com");
    expect(db.select().from(auditLog).all().at(-1)).toMatchObject({
      action: "config.reload",
      outcome: "success",
    });
  });

  it("refuses an invalid file with its problems and keeps the running config", async () => {
    const before = getConfig();
    fs.writeFileSync(paths.config, yaml("surprise: 1"));
    writeEnvFile("RELOAD_TEST_URL=https://new.example.com\n");

    await expect(reloadConfig({ actor: admin, db }, {})).rejects.toMatchObject({
      status: 400,
      issues: [{ path: "(top level)", message: 'unknown key "surprise"' }],
    });
    expect(getConfig()).toBe(before);
    expect(backendUrl()).toBe("https://old.example.com");
  });

  it("is for admins only", async () => {
    const user = await makeUser(db, "operator");
    await expect(
      reloadConfig(
        { actor: { kind: "user", id: user.id, email: user.email, role: "operator" }, db },
        {},
      ),
    ).rejects.toMatchObject({ status: 403 });
  });
});
