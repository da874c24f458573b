import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// Three threads write through three connections (docs/adr/0013-engine-threads.md). In WAL
// mode a deferred transaction that reads and then writes fails at once with SQLITE_BUSY
// when another connection committed since its read: no busy timeout helps. So every
// transaction takes the write lock first; only a read snapshot may be deferred, says so,
// and then writes nothing (server/audit/verify.ts, server/queries/live-state.ts).
const root = path.resolve(__dirname, "../..");

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

describe("transactions across connections", () => {
  const files = ["server", "scripts", "app"].flatMap((d) => sources(path.join(root, d)));

  it.each(
    files
      .filter((f) => /\.transaction\(/.test(fs.readFileSync(f, "utf8")))
      .map((f) => path.relative(root, f)),
  )("%s: every transaction is immediate (or a deferred read snapshot)", (file) => {
    const text = fs.readFileSync(path.join(root, file), "utf8");
    const opened = text.match(/\.transaction\(/g)?.length ?? 0;
    const declared =
      text.match(/behavior: "(immediate|deferred)"|\)\s*\.(immediate|deferred)\(\)/g)?.length ?? 0;
    expect(declared, `${file}: ${opened} transactions, ${declared} say how they lock`).toBe(opened);
  });
});
