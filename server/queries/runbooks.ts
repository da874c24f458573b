import "server-only";
import fs from "node:fs";
import path from "node:path";
import { marked } from "marked";

const DIR = path.join(process.cwd(), "docs", "runbooks");

export function runbookSlugs(): string[] {
  return fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith(".md"))
    .map((f) => f.slice(0, -3))
    .sort();
}

/** A runbook from docs/runbooks as HTML (the files are the project's own, reviewed like code). */
export function runbook(slug: string): { title: string; html: string } | undefined {
  if (!/^[a-z0-9-]+$/.test(slug) || !runbookSlugs().includes(slug)) return undefined;
  const text = fs.readFileSync(path.join(DIR, `${slug}.md`), "utf8");
  const title = /^#\s+(.+)$/m.exec(text)?.[1] ?? slug;
  return { title, html: marked.parse(text, { async: false }) };
}
