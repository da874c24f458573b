import fs from "node:fs";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { makeUser } from "@/test/callers";
import { freshDb } from "@/test/db";
import { readEnvVar } from "@/env";
import { getConfig, installConfig } from "@/server/config";
import { contentHash } from "@/server/config/edit";
import { loadConfigFile } from "@/server/config/load";
import type { Db } from "@/server/db";
import { auditLog } from "@/server/db/schema";
import type { Role } from "@/lib/roles";
import type { Actor } from "@/server/services/service";
import { previewConfigEdit } from "./preview-config-edit";
import { saveConfigEdit } from "./save-config-edit";

// env.ts reads OPSDECK_CONFIG once, when first imported: point it at this test's file first.
const paths = await vi.hoisted(async () => {
  const fs = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-config-edit-"));
  process.env.OPSDECK_CONFIG = path.join(dir, "opsdeck.yaml");
  process.env.CONFIG_EDIT_TEST_URL = "https://backend.internal.example.com";
  return { dir, config: path.join(dir, "opsdeck.yaml") };
});

// What OPSDECK_CONFIG_READONLY=1 does, switched per test.
const readOnly = vi.hoisted(() => ({ on: false }));
vi.mock("@/server/config/edit", async (importOriginal) => {
  const mod = await importOriginal<typeof import("@/server/config/edit")>();
  return {
    ...mod,
    configWritability: (file: string, flag: boolean) =>
      mod.configWritability(file, flag || readOnly.on),
  };
});

const SOURCE = `# Managed in git; edited from the browser too.
environments:
  - { id: production, name: Production }
services:
  - id: backend
    name: Backend
    environments:
      production: { url: "\${CONFIG_EDIT_TEST_URL}" }

monitors:
  # Pages someone.
  - id: health
    service: backend
    environment: production
    type: http
    url: "\${CONFIG_EDIT_TEST_URL}/health"
    interval: 30s
`;

const NEW = `id: api-ready
service: backend
environment: production
type: http
url: "\${CONFIG_EDIT_TEST_URL}/ready"
interval: 1m
`;

let db: Db;
const actors: Record<Role, Actor> = {} as Record<Role, Actor>;

beforeEach(async () => {
  db = freshDb();
  for (const role of ["viewer", "operator", "admin"] as const) {
    const u = await makeUser(db, role);
    actors[role] = { kind: "user", id: u.id, email: u.email, role };
  }
  readOnly.on = false;
  fs.writeFileSync(paths.config, SOURCE);
  installConfig(loadConfigFile(paths.config, readEnvVar));
});

const add = () => ({
  section: "monitors" as const,
  op: "add" as const,
  entry: NEW,
  baseHash: contentHash(SOURCE),
});

describe("editing opsdeck.yaml from a form", () => {
  it.each(["viewer", "operator"] as const)(
    "refuses a %s (403, audited) and changes nothing",
    async (role) => {
      for (const verb of [previewConfigEdit, saveConfigEdit])
        await expect(verb({ actor: actors[role], db }, add())).rejects.toMatchObject({
          status: 403,
        });
      expect(fs.readFileSync(paths.config, "utf8")).toBe(SOURCE);
      expect(db.select().from(auditLog).all()).toMatchObject([
        { action: "config.preview", outcome: "denied" },
        { action: "config.edit", outcome: "denied" },
      ]);
    },
  );

  it("previews the diff of the raw file and writes nothing", async () => {
    const preview = await previewConfigEdit({ actor: actors.admin, db }, add());
    expect(preview).toMatchObject({ id: "api-ready", writable: true, readOnlyReason: null });
    expect(preview.diff).toContain('+    url: "${CONFIG_EDIT_TEST_URL}/ready"');
    expect(preview.diff).not.toContain("backend.internal.example.com");
    expect(fs.readFileSync(paths.config, "utf8")).toBe(SOURCE);
  });

  it("saves: the file keeps its comments, the audit row holds the diff, the new monitor runs", async () => {
    const saved = await saveConfigEdit({ actor: actors.admin, db }, add());
    expect(saved.reloaded).toBe(true);
    const text = fs.readFileSync(paths.config, "utf8");
    expect(text.startsWith(SOURCE)).toBe(true);
    expect(getConfig().config.monitors.map((m) => m.id)).toEqual(["health", "api-ready"]);
    const row = db.select().from(auditLog).all().at(-1)!;
    expect(row).toMatchObject({
      action: "config.edit",
      outcome: "success",
      actorName: "admin@example.com",
      details: { path: "monitors", op: "add", id: "api-ready", diff: saved.diff },
    });
    expect(JSON.stringify(row.details)).not.toContain("backend.internal.example.com");
  });

  it("refuses an edit the loader would refuse, with its message and path; nothing written or audited", async () => {
    await expect(
      saveConfigEdit({ actor: actors.admin, db }, { ...add(), entry: NEW.replace("1m", "soon") }),
    ).rejects.toMatchObject({
      status: 400,
      issues: [
        {
          path: "monitors[1].interval",
          message: 'expected a duration such as "30s", "5m" or "1h", got "soon"',
        },
      ],
    });
    expect(fs.readFileSync(paths.config, "utf8")).toBe(SOURCE);
    expect(db.select().from(auditLog).all()).toEqual([]);
  });

  it("refuses when the file changed on disk since the form was opened", async () => {
    fs.writeFileSync(paths.config, SOURCE + "\n# edited by hand\n");
    await expect(saveConfigEdit({ actor: actors.admin, db }, add())).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/changed on disk/),
    });
    expect(fs.readFileSync(paths.config, "utf8")).toBe(SOURCE + "\n# edited by hand\n");
  });

  it("a read-only config previews (to copy) but does not save", async () => {
    readOnly.on = true;
    const preview = await previewConfigEdit({ actor: actors.admin, db }, add());
    expect(preview).toMatchObject({
      writable: false,
      readOnlyReason: "OPSDECK_CONFIG_READONLY is set",
    });
    await expect(saveConfigEdit({ actor: actors.admin, db }, add())).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/read-only/),
    });
    expect(fs.readFileSync(paths.config, "utf8")).toBe(SOURCE);
  });

  it("removes an entry by id", async () => {
    await saveConfigEdit({ actor: actors.admin, db }, add());
    const text = fs.readFileSync(paths.config, "utf8");
    await saveConfigEdit(
      { actor: actors.admin, db },
      { section: "monitors", op: "remove", id: "api-ready", baseHash: contentHash(text) },
    );
    expect(fs.readFileSync(paths.config, "utf8")).toBe(SOURCE);
    expect(getConfig().config.monitors.map((m) => m.id)).toEqual(["health"]);
  });
});
