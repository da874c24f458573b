import { describe, expect, it } from "vitest";
import { allDocs, headingId, renderDoc, rewriteDocLink } from "./docs";
import { runbook, runbookSlugs } from "./runbooks";

/** The HTML the app serves at an app path, when it is a document page. */
function pageAt(url: string): string | undefined {
  const runbookSlug = /^\/runbooks\/([^/#?]+)$/.exec(url)?.[1];
  if (runbookSlug) return runbook(runbookSlug)?.html;
  const doc = /^\/docs\/([^#?]+)$/.exec(url)?.[1];
  return doc ? renderDoc(doc)?.html : undefined;
}

const hrefs = (html: string) => [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
const ids = (html: string) => new Set([...html.matchAll(/ id="([^"]*)"/g)].map((m) => m[1]!));

describe("links in the runbooks and the documents they lead to", () => {
  it("every link from a runbook, and on from there, opens a page of the app, at an anchor that exists", () => {
    const queue = runbookSlugs().map((s) => `/runbooks/${s}`);
    const seen = new Set(queue);
    const broken: string[] = [];
    while (queue.length > 0) {
      const from = queue.shift()!;
      const html = pageAt(from)!;
      for (const href of hrefs(html)) {
        if (/^https?:/.test(href)) continue;
        const [target = "", anchor] = href.split("#", 2);
        const url = target === "" ? from : target;
        const page = pageAt(url);
        if (page === undefined) {
          broken.push(`${from}: ${href} is not a document page`);
          continue;
        }
        if (anchor && !ids(page).has(anchor)) broken.push(`${from}: ${href} has no #${anchor}`);
        if (!seen.has(url)) {
          seen.add(url);
          queue.push(url);
        }
      }
    }
    expect(broken).toEqual([]);
    // The crawl reached the documents outside the runbooks too.
    expect(seen).toContain("/docs/config");
    expect(seen).toContain("/docs/adr/0013-engine-threads");
  });

  it("every document's relative links resolve, not only those a runbook reaches", () => {
    const broken = allDocs().flatMap((doc) =>
      renderDoc(doc)!
        .links.filter((l) => !/^https?:/.test(l))
        .filter((l) => {
          const [target = "", anchor] = l.split("#", 2);
          const page = target === "" ? renderDoc(doc)!.html : pageAt(target);
          return page === undefined || (anchor !== undefined && !ids(page).has(anchor));
        })
        .map((l) => `${doc}: ${l}`),
    );
    expect(broken).toEqual([]);
  });
});

describe("rewriting a link", () => {
  it("sends runbooks to /runbooks and other documents to /docs, keeping the anchor", () => {
    expect(rewriteDocLink("runbooks/alerting", "rollback.md")).toBe("/runbooks/rollback");
    expect(rewriteDocLink("runbooks/opsdeck-itself", "../config.md#the-audit-key")).toBe(
      "/docs/config#the-audit-key",
    );
    expect(rewriteDocLink("config", "runbooks/opsdeck-itself.md#x")).toBe(
      "/runbooks/opsdeck-itself#x",
    );
    expect(rewriteDocLink("adr/0007-deployments", "0010-jobs.md")).toBe("/docs/adr/0010-jobs");
    expect(rewriteDocLink("config", "#ingest")).toBe("#ingest");
    expect(rewriteDocLink("config", "https://example.com/a.md")).toBe("https://example.com/a.md");
    expect(rewriteDocLink("config", "/runbooks/rollback")).toBe("/runbooks/rollback");
    // Out of docs/: left as written (the test above reports it as broken).
    expect(rewriteDocLink("config", "../README.md")).toBe("../README.md");
  });

  it("gives headings GitHub's ids", () => {
    const seen = new Map<string, number>();
    expect(headingId("Restoring Opsdeck's own database", seen)).toBe(
      "restoring-opsdecks-own-database",
    );
    expect(headingId("OPSDECK_AUDIT_KEY and `ingest`", seen)).toBe("opsdeck_audit_key-and-ingest");
    expect(headingId("Ingest", seen)).toBe("ingest");
    expect(headingId("Ingest", seen)).toBe("ingest-1");
  });

  it("refuses paths that are not documents", () => {
    expect(renderDoc("../package")).toBeUndefined();
    expect(renderDoc("nope")).toBeUndefined();
    expect(renderDoc("Config")).toBeUndefined();
  });
});
