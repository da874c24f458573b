import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { sameToken } from "./token";

const root = path.resolve(__dirname, "..", "..");

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (["node_modules", ".next", "data", "fixtures"].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) sources(full, out);
    else if (/\.(ts|tsx|mjs)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) out.push(full);
  }
  return out;
}

describe("token comparison", () => {
  it("accepts only the same token, whatever the lengths", () => {
    expect(sameToken("a".repeat(40), "a".repeat(40))).toBe(true);
    expect(sameToken("a".repeat(39), "a".repeat(40))).toBe(false);
    expect(sameToken("", "a".repeat(40))).toBe(false);
    expect(sameToken("b".repeat(4000), "a".repeat(40))).toBe(false);
    expect(sameToken("tökén", "tökén")).toBe(true);
  });

  it("every comparison of a secret goes through sameToken (hash both sides, then compare)", () => {
    const offenders = ["app", "server", "lib", "scripts"]
      .flatMap((d) => sources(path.join(root, d)))
      .filter((f) =>
        /timingSafeEqual|\.length\s*===\s*\w+\.length\s*&&/.test(fs.readFileSync(f, "utf8")),
      )
      .map((f) => path.relative(root, f))
      .filter((f) => f !== path.join("server", "http", "token.ts"));
    expect(offenders).toEqual([]);
  });
});
