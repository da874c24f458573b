import { describe, expect, it } from "vitest";
import { itemScore, pageItems, searchIndex, wordScore, type SearchItem } from "./search";

const monitor = (title: string, detail = ""): SearchItem => ({
  kind: "monitor",
  title,
  detail,
  href: `/uptime/${title}`,
});

describe("wordScore", () => {
  it("ranks the start of the text over a word's start over anywhere over letters in order", () => {
    const text = "navi backend /health";
    const scores = [
      wordScore("navi", text),
      wordScore("back", text),
      wordScore("ckend", text),
      wordScore("nvbk", text),
    ];
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(new Set(scores).size).toBe(4);
  });

  it("finds a substring that also occurs earlier inside a word as a word start", () => {
    expect(wordScore("end", "weekend end")).toBe(80);
  });

  it("is 0 when the letters are not all there in order", () => {
    expect(wordScore("kcab", "navi backend")).toBe(0);
    expect(wordScore("x", "navi backend")).toBe(0);
  });

  it("treats regular-expression characters as plain letters", () => {
    expect(wordScore(".*", "navi backend")).toBe(0);
    expect(
      wordScore("(a+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"),
    ).toBe(0);
  });
});

describe("itemScore", () => {
  it("needs every word of the query, in the title or the detail", () => {
    const item = monitor("Navi /health", "http · Navi backend · Production");
    expect(itemScore("navi prod", item)).toBeGreaterThan(0);
    expect(itemScore("navi staging", item)).toBe(0);
  });

  it("ignores case and accents", () => {
    expect(itemScore("CAFE", monitor("Café menu"))).toBeGreaterThan(0);
  });

  it("does not match scattered letters outside the title", () => {
    expect(itemScore("pdn", monitor("Web", "Production"))).toBe(0);
  });
});

describe("searchIndex", () => {
  it("groups by kind in a fixed order, best match first", () => {
    const items: SearchItem[] = [
      monitor("Staging backend"),
      { kind: "page", title: "Backups", href: "/backups" },
      monitor("Backend"),
      monitor("Web app"),
    ];
    const groups = searchIndex(items, "backend");
    expect(groups.map((g) => g.kind)).toEqual(["monitor"]);
    expect(groups[0]!.items.map((i) => i.title)).toEqual(["Backend", "Staging backend"]);
    expect(searchIndex(items, "back").map((g) => g.kind)).toEqual(["page", "monitor"]);
  });

  it("keeps the index's order among equal matches (the newest deployment first)", () => {
    const items = ["v3", "v2", "v1"].map((v): SearchItem => ({
      kind: "deployment",
      title: `Backend ${v}`,
      href: `/d/${v}`,
    }));
    expect(searchIndex(items, "backend")[0]!.items.map((i) => i.title)).toEqual([
      "Backend v3",
      "Backend v2",
      "Backend v1",
    ]);
  });

  it("caps each kind and says how many more there are", () => {
    const items = Array.from({ length: 45 }, (_, i) => monitor(`check ${i}`));
    const [group] = searchIndex(items, "check", 20);
    expect(group!.items).toHaveLength(20);
    expect(group!.more).toBe(25);
  });

  it("lists each kind's first items for an empty query", () => {
    const items = [
      monitor("a"),
      monitor("b"),
      { kind: "page" as const, title: "Uptime", href: "/" },
    ];
    expect(searchIndex(items, "  ").map((g) => [g.kind, g.items.length])).toEqual([
      ["page", 1],
      ["monitor", 2],
    ]);
  });

  it("returns nothing for a query nothing fits", () => {
    expect(searchIndex([monitor("Backend")], "zzz")).toEqual([]);
  });
});

describe("pageItems", () => {
  it("offers the Users page to admins only, like the page itself", () => {
    const hrefs = (role: "viewer" | "operator" | "admin") => pageItems(role).map((p) => p.href);
    expect(hrefs("viewer")).not.toContain("/settings/users");
    expect(hrefs("operator")).not.toContain("/settings/users");
    expect(hrefs("admin")).toContain("/settings/users");
    expect(hrefs("viewer")).toEqual(
      expect.arrayContaining(["/", "/uptime", "/alerts", "/settings/jobs"]),
    );
  });
});
