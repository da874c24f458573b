import "server-only";
import fs from "node:fs";
import path from "node:path";
import { renderDoc } from "./docs";

const DIR = path.join(process.cwd(), "docs", "runbooks");

export function runbookSlugs(): string[] {
  return fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith(".md"))
    .map((f) => f.slice(0, -3))
    .sort();
}

/** A runbook from docs/runbooks as HTML, its links pointing inside the app. */
export function runbook(slug: string): { title: string; html: string } | undefined {
  if (!/^[a-z0-9-]+$/.test(slug) || !runbookSlugs().includes(slug)) return undefined;
  return renderDoc(`runbooks/${slug}`);
}
