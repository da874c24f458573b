import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AUDIT_ACTION_LABELS, auditActionLabel } from "./audit-actions";

const root = path.resolve(__dirname, "..");

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) sources(full, out);
    else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) out.push(full);
  }
  return out;
}

/** Every audit action server/ writes: `action: "…"` (and both arms of a ternary), and verb names. */
function auditedActions(): Set<string> {
  const found = new Set<string>();
  for (const file of sources(path.join(root, "server"))) {
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(/action:\s*([^,}\n]+)/g)) {
      // Audit actions are "area.verb"; other `action:` fields ("rollback", "none") are not.
      for (const s of m[1]!.matchAll(/"([a-z_]+\.[a-z_.]+)"/g)) found.add(s[1]!);
    }
    if (/defineService\(|apiRoute\(|authAction\(/.test(text))
      for (const m of text.matchAll(/\bname:\s*"([a-z_]+(?:\.[a-z_]+)*)"/g)) found.add(m[1]!);
  }
  // Written from a template in server/jobs/kinds/deployments.ts: deployments.<action>_completed.
  for (const action of ["rollback", "redeploy"]) found.add(`deployments.${action}_completed`);
  return found;
}

describe("audit action labels", () => {
  const actions = [...auditedActions()].sort();

  it("finds the audited actions", () => {
    expect(actions.length).toBeGreaterThan(30);
    expect(actions).toContain("alerts.ack");
  });

  it.each(actions)("%s has a label", (action) => {
    expect(AUDIT_ACTION_LABELS[action], `add "${action}" to lib/audit-actions.ts`).toBeTruthy();
  });

  it("reads as words; throttled rows name what was throttled; unknown ids are shown as-is", () => {
    expect(auditActionLabel("users.change_role")).toBe("Role changed");
    expect(auditActionLabel("metrics.throttled")).toBe("Metrics scraped (throttled)");
    expect(auditActionLabel("something.new")).toBe("something.new");
  });
});
