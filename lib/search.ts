import { NAV } from "@/lib/nav";
import { hasRole, type Role } from "@/lib/roles";

/** What the command palette can open, in the order its groups are shown. */
export const SEARCH_KINDS = [
  { kind: "page", label: "Pages" },
  { kind: "service", label: "Services" },
  { kind: "monitor", label: "Monitors" },
  { kind: "alert", label: "Open alerts" },
  { kind: "deployment", label: "Recent deployments" },
  { kind: "runbook", label: "Runbooks" },
  { kind: "doc", label: "Docs" },
] as const;

export type SearchKind = (typeof SEARCH_KINDS)[number]["kind"];

export type SearchItem = {
  kind: SearchKind;
  title: string;
  /** A second line: where the thing lives (service, environment, state). */
  detail?: string;
  href: string;
  /** More words it is found by (ids, labels) that are not shown. */
  keywords?: string;
};

export type SearchGroup = {
  kind: SearchKind;
  label: string;
  items: SearchItem[];
  /** Matches past the cap, not sent. */
  more: number;
};

export const MAX_QUERY = 200;
export const PER_KIND = 20;

/** Pages beyond the sections, with the least role each page itself requires. */
const MORE_PAGES: { href: string; title: string; detail: string; role: Role }[] = [
  { href: "/alerts?tab=history", title: "Alert history", detail: "Alerts", role: "viewer" },
  { href: "/alerts?tab=rules", title: "Alert rules", detail: "Alerts", role: "viewer" },
  { href: "/alerts?tab=silences", title: "Silences", detail: "Alerts", role: "viewer" },
  {
    href: "/alerts?tab=channels",
    title: "Notification channels",
    detail: "Alerts",
    role: "viewer",
  },
  {
    href: "/runbooks",
    title: "Runbooks",
    detail: "What to do when an alert fires",
    role: "viewer",
  },
  { href: "/settings/jobs", title: "Jobs", detail: "Settings", role: "viewer" },
  { href: "/settings/users", title: "Users", detail: "Settings", role: "admin" },
];

/** The pages a role may open: every section, then the tabs and sub-pages worth jumping to. */
export function pageItems(role: Role): SearchItem[] {
  return [
    ...NAV.map((n) => ({
      kind: "page" as const,
      title: n.label,
      detail: n.built ? n.summary : "Not built yet",
      href: n.href,
    })),
    ...MORE_PAGES.filter((p) => hasRole(role, p.role)).map((p) => ({
      kind: "page" as const,
      title: p.title,
      detail: p.detail,
      href: p.href,
    })),
  ];
}

const normalise = (s: string) =>
  s
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "");

/** True at the start of the text or after anything that is not a letter or digit. */
const wordStart = (text: string, at: number) => at === 0 || !/[a-z0-9]/.test(text[at - 1]!);

/**
 * How well one query word fits a text; 0 for not at all. A substring scores by where it
 * starts (the beginning, a word's start, anywhere); failing that, the word's letters in
 * order (`nvbk` for "Navi backend") score low, less for every letter skipped between.
 * One pass over the text for each: no backtracking, no regular expression built from input.
 */
export function wordScore(word: string, text: string): number {
  if (!word) return 0;
  const at = text.indexOf(word);
  if (at === 0) return 100;
  if (at > 0) {
    for (let i = at; i >= 0; i = text.indexOf(word, i + 1)) if (wordStart(text, i)) return 80;
    return 60;
  }
  let w = 0;
  let gaps = 0;
  let last = -1;
  for (let i = 0; i < text.length && w < word.length; i++) {
    if (text[i] === word[w]) {
      if (last >= 0 && i > last + 1) gaps++;
      last = i;
      w++;
    }
  }
  return w === word.length ? Math.max(1, 30 - gaps * 5) : 0;
}

/** How well an item fits the whole query: every word must fit; the title counts most. 0 for no match. */
export function itemScore(query: string, item: SearchItem): number {
  const words = normalise(query).split(/\s+/).filter(Boolean);
  if (!words.length) return 1;
  const title = normalise(item.title);
  const rest = normalise(`${item.detail ?? ""} ${item.keywords ?? ""}`);
  let total = 0;
  for (const word of words) {
    const inTitle = wordScore(word, title);
    // Elsewhere only a substring counts: letters scattered over an id or a label are noise.
    const inRest = rest.includes(word) ? 40 : 0;
    const best = Math.max(inTitle, inRest);
    if (!best) return 0;
    total += best;
  }
  // A title that is exactly the query is the one meant.
  if (title === words.join(" ")) total += 50;
  return total;
}

/**
 * The items that fit the query, grouped by kind in SEARCH_KINDS order, best first
 * (ties keep the index's order: the newest deployment first), at most `perKind` each
 * with a count of the rest. An empty query lists each kind's first items.
 */
export function searchIndex(items: SearchItem[], query: string, perKind = PER_KIND): SearchGroup[] {
  const q = query.trim().slice(0, MAX_QUERY);
  const scored = items
    .map((item, order) => ({ item, order, score: itemScore(q, item) }))
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.order - b.order);
  return SEARCH_KINDS.flatMap(({ kind, label }) => {
    const found = scored.filter((s) => s.item.kind === kind);
    if (!found.length) return [];
    return [
      {
        kind,
        label,
        items: found.slice(0, perKind).map((s) => s.item),
        more: Math.max(0, found.length - perKind),
      },
    ];
  });
}
