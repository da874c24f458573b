import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { metadata } from "@/app/layout";
import { NAV, showsEnvironmentSwitcher } from "./nav";

const root = path.resolve(__dirname, "..");
const notBuilt = NAV.filter((n) => !n.built).map((n) => n.label.toLowerCase());

describe("what Opsdeck says it does", () => {
  it("names no section that is not built yet in its one-line descriptions", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
      description: string;
    };
    expect(notBuilt).toEqual(expect.arrayContaining(["errors", "secrets"]));
    const descriptions: [where: string, text: string][] = [
      ["package.json", pkg.description],
      ["page metadata", String(metadata.description)],
    ];
    for (const [where, text] of descriptions) {
      for (const section of notBuilt)
        expect(text.toLowerCase(), `${where} mentions ${section}`).not.toMatch(
          new RegExp(`\\b${section}\\b`),
        );
    }
  });
});

describe("showsEnvironmentSwitcher", () => {
  it("shows the switcher only on the pages that honour it", () => {
    expect(showsEnvironmentSwitcher("/")).toBe(true);
    expect(showsEnvironmentSwitcher("/deployments")).toBe(true);
    expect(showsEnvironmentSwitcher("/deployments/")).toBe(true);
    for (const p of [
      "/oncall",
      "/audit",
      "/settings",
      "/docs",
      "/jobs",
      "/deployments/4",
      "/uptime/api",
    ])
      expect(showsEnvironmentSwitcher(p)).toBe(false);
  });
});
