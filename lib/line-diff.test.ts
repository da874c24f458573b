import { describe, expect, it } from "vitest";
import { diffLines, unifiedDiff } from "./line-diff";

describe("line diff", () => {
  it("is empty for the same text", () => {
    expect(unifiedDiff("a\nb\n", "a\nb\n", "f")).toBe("");
  });

  it("shows one changed line with three lines of context, numbered as diff -u does", () => {
    const a = ["1", "2", "3", "4", "5", "6", "7", "8", "9"].join("\n") + "\n";
    const b = a.replace("5", "five");
    expect(unifiedDiff(a, b, "opsdeck.yaml")).toBe(
      [
        "--- a/opsdeck.yaml",
        "+++ b/opsdeck.yaml",
        "@@ -2,7 +2,7 @@",
        " 2",
        " 3",
        " 4",
        "-5",
        "+five",
        " 6",
        " 7",
        " 8",
        "",
      ].join("\n"),
    );
  });

  it("keeps far-apart changes in separate hunks", () => {
    const a = Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\n");
    const b = a.replace("line 2\n", "line two\n").replace("line 27", "line 27\nadded");
    const hunks = unifiedDiff(a, b, "f").match(/^@@.*@@$/gm);
    expect(hunks).toEqual(["@@ -1,6 +1,6 @@", "@@ -26,5 +26,6 @@"]);
  });

  it("finds the common lines of a changed middle (an insertion between kept lines)", () => {
    expect(diffLines("a\nx\nb\ny\nc", "a\nb\nc\nd").map((l) => l.op + l.text)).toEqual([
      " a",
      "-x",
      " b",
      "-y",
      " c",
      "+d",
    ]);
  });

  it("diffs a large file quickly when the change is small (head and tail are matched first)", () => {
    const a = Array.from({ length: 100_000 }, (_, i) => `l${i}`).join("\n");
    const b = a.replace("l50000\n", "l50000\nnew\n");
    expect(diffLines(a, b).filter((l) => l.op !== " ")).toEqual([{ op: "+", text: "new" }]);
  });
});
