import "server-only";
import fs from "node:fs";
import path from "node:path";
import { Marked, type Token, type Tokens } from "marked";

/** The project's documentation, shipped with the build (docs/ beside the app). */
const DOCS = path.join(process.cwd(), "docs");
const RUNBOOKS = "runbooks/";
/** A document's path under docs/, without ".md": lower-case words, digits, "-", "_" and "/". */
const DOC_PATH = /^(?:[a-z0-9][a-z0-9_-]*\/)*[a-z0-9][a-z0-9_-]*$/;

export type RenderedDoc = {
  title: string;
  html: string;
  /** The ids of its headings, which links to `#…` may name. */
  anchors: string[];
  /** Every link in it, as rendered. */
  links: string[];
};

/** Where the app shows a document: runbooks under /runbooks, everything else under /docs. */
export function docUrl(doc: string): string {
  return doc.startsWith(RUNBOOKS) ? `/runbooks/${doc.slice(RUNBOOKS.length)}` : `/docs/${doc}`;
}

/** The document behind a path under docs/ (without ".md"), when it exists. */
export function docFile(doc: string): string | undefined {
  if (!DOC_PATH.test(doc)) return undefined;
  const file = path.join(DOCS, `${doc}.md`);
  return fs.existsSync(file) ? file : undefined;
}

/**
 * A link as the app must render it: a relative link to another Markdown document
 * (`../config.md#ingest`, `rollback.md`) goes to that document's page in the app, with
 * its anchor; anything else (other sites, anchors in the same page, app paths) is kept.
 */
export function rewriteDocLink(fromDoc: string, href: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith("/") || href.startsWith("#")) {
    return href;
  }
  const [target = "", anchor] = href.split("#", 2);
  if (!target.endsWith(".md")) return href;
  const resolved = path.posix.normalize(
    path.posix.join(path.posix.dirname(fromDoc), target.slice(0, -3)),
  );
  if (resolved.startsWith("..") || !DOC_PATH.test(resolved)) return href;
  return `${docUrl(resolved)}${anchor ? `#${anchor}` : ""}`;
}

/** The text of inline tokens, without their Markdown. */
function plainText(tokens: Token[] | undefined): string {
  return (tokens ?? [])
    .map((t) =>
      "tokens" in t && t.tokens ? plainText(t.tokens) : "text" in t ? String(t.text) : "",
    )
    .join("");
}

/** GitHub's heading ids: lower case, punctuation dropped, spaces to "-", repeats numbered. */
export function headingId(text: string, seen: Map<string, number>): string {
  const base = text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
  const n = seen.get(base) ?? 0;
  seen.set(base, n + 1);
  return n === 0 ? base : `${base}-${n}`;
}

/**
 * A document from docs/ (`runbooks/alerting`, `config`) as HTML, its links pointing
 * inside the app and its headings carrying the ids GitHub gives them, so the same
 * anchors work in the repository and in the app. The files are the project's own,
 * reviewed like code.
 */
export function renderDoc(doc: string): RenderedDoc | undefined {
  const file = docFile(doc);
  if (!file) return undefined;
  const text = fs.readFileSync(file, "utf8");
  const seen = new Map<string, number>();
  const anchors: string[] = [];
  const links: string[] = [];
  const marked = new Marked({
    walkTokens(token) {
      if (token.type === "link") {
        const link = token as Tokens.Link;
        link.href = rewriteDocLink(doc, link.href);
        links.push(link.href);
      }
    },
    renderer: {
      heading({ tokens, depth }) {
        const id = headingId(plainText(tokens), seen);
        anchors.push(id);
        return `<h${depth} id="${id}">${this.parser.parseInline(tokens)}</h${depth}>\n`;
      },
    },
  });
  const html = marked.parse(text, { async: false });
  const title = /^#\s+(.+)$/m.exec(text)?.[1]?.replace(/`/g, "") ?? doc;
  return { title, html, anchors, links };
}

/** Every document under docs/, as paths without ".md" (`adr/0006-…`, `runbooks/alerting`). */
export function allDocs(dir = ""): string[] {
  return fs
    .readdirSync(path.join(DOCS, dir), { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? allDocs(path.posix.join(dir, e.name))
        : e.name.endsWith(".md")
          ? [path.posix.join(dir, e.name.slice(0, -3))]
          : [],
    )
    .sort();
}
