import fs from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { contentHash } from "@/server/config/edit";
import { configEntryForm } from "./config-entry";

const paths = await vi.hoisted(async () => {
  const fs = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-config-entry-"));
  process.env.OPSDECK_CONFIG = path.join(dir, "opsdeck.yaml");
  process.env.CONFIG_ENTRY_TEST_HOOK = "https://hooks.example.com/services/very-secret-value";
  return { config: path.join(dir, "opsdeck.yaml") };
});

const SOURCE = `alerts:
  channels:
    # Where the team looks.
    - id: ops
      type: slack # the #ops channel
      webhookUrl: \${CONFIG_ENTRY_TEST_HOOK}
`;
fs.writeFileSync(paths.config, SOURCE);

const user = (role: "viewer" | "operator" | "admin") => ({
  id: 1,
  email: `${role}@example.com`,
  name: role,
  role,
});

describe("the data of a config edit form", () => {
  it("is the raw entry: comments and ${VAR} kept, the secret value nowhere", () => {
    const form = configEntryForm(user("admin"), "channels", "ops")!;
    expect(form).toMatchObject({
      listPath: "alerts.channels",
      fileName: "opsdeck.yaml",
      baseHash: contentHash(SOURCE),
      writable: true,
      values: { id: "ops", type: "slack", webhookUrl: "${CONFIG_ENTRY_TEST_HOOK}" },
    });
    expect(form.yaml).toBe(
      "id: ops\ntype: slack # the #ops channel\nwebhookUrl: ${CONFIG_ENTRY_TEST_HOOK}",
    );
    expect(JSON.stringify(form)).not.toContain("very-secret-value");
  });

  it("is null for an id the file does not have", () => {
    expect(configEntryForm(user("admin"), "channels", "nope")).toBeNull();
  });

  it.each(["viewer", "operator"] as const)("is refused to a %s", (role) => {
    expect(() => configEntryForm(user(role), "channels", "ops")).toThrow(/admins/);
  });
});
