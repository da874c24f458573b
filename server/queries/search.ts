import "server-only";
import fs from "node:fs";
import { desc, inArray } from "drizzle-orm";
import { pageItems, type SearchItem } from "@/lib/search";
import type { SessionUser } from "@/server/auth/session";
import type { OpsdeckConfig } from "@/server/config/schema";
import type { Db } from "@/server/db";
import { alerts } from "@/server/db/schema";
import { deploymentTimeline } from "./deployments";
import { allDocs, docFile, docUrl } from "./docs";
import { monitorName } from "./uptime";

/** As many as the Deployments page's first page shows. */
export const RECENT_DEPLOYMENTS = 50;
/** Open alerts beyond this many are still one click away, on the Alerts page. */
const OPEN_ALERTS = 500;

// Documents ship with the build: a title read once is good until the next deploy.
const titles = new Map<string, string>();
function docTitle(doc: string): string | undefined {
  if (!titles.has(doc)) {
    const file = docFile(doc);
    if (!file) return undefined;
    const heading = /^#\s+(.+)$/m.exec(fs.readFileSync(file, "utf8"))?.[1];
    titles.set(doc, heading?.replace(/`/g, "").trim() || doc);
  }
  return titles.get(doc);
}

/**
 * Everything the palette can open for this user, names and where they lead only (never
 * a monitor's target, a channel's address or anything from the secrets): each kind only
 * as far as the pages this user may open show it.
 */
export function searchItems(db: Db, config: OpsdeckConfig, user: SessionUser): SearchItem[] {
  const environment = (id: string) => config.environments.find((e) => e.id === id)?.name ?? id;
  const service = (id: string) => config.services.find((s) => s.id === id)?.name ?? id;
  const items: SearchItem[] = pageItems(user.role);
  for (const s of config.services) {
    items.push({
      kind: "service",
      title: s.name,
      detail: `Deployments · ${Object.keys(s.environments).map(environment).join(", ")}`,
      href: `/deployments?service=${encodeURIComponent(s.id)}`,
      keywords: s.id,
    });
  }
  for (const m of config.monitors) {
    items.push({
      kind: "monitor",
      title: monitorName(m),
      detail: `${m.type} · ${service(m.service)} · ${environment(m.environment)}${m.paused ? " · paused" : ""}`,
      href: `/uptime/${encodeURIComponent(m.id)}`,
      keywords: m.id,
    });
  }
  const open = db
    .select({
      id: alerts.id,
      ruleId: alerts.ruleId,
      state: alerts.state,
      severity: alerts.severity,
      labels: alerts.labels,
    })
    .from(alerts)
    .where(inArray(alerts.state, ["firing", "pending"]))
    .orderBy(desc(alerts.activeAt), desc(alerts.id))
    .limit(OPEN_ALERTS)
    .all();
  for (const a of open) {
    const rule = config.alerts.rules.find((r) => r.id === a.ruleId);
    const where = [a.labels.service, a.labels.environment].filter(Boolean);
    items.push({
      kind: "alert",
      title: `#${a.id} ${rule?.name ?? a.ruleId}`,
      detail: [a.state, a.severity, ...where].join(" · "),
      href: `/alerts/${a.id}`,
      keywords: a.ruleId,
    });
  }
  for (const d of deploymentTimeline(db, {}, RECENT_DEPLOYMENTS)) {
    items.push({
      kind: "deployment",
      title: `${service(d.service)} ${d.version}`,
      detail: `${environment(d.environment)} · ${d.status}${d.author ? ` · ${d.author}` : ""}`,
      href: `/deployments/${d.id}`,
      keywords: [d.service, d.commitSha?.slice(0, 12)].filter(Boolean).join(" "),
    });
  }
  for (const doc of allDocs()) {
    const title = docTitle(doc);
    if (!title) continue;
    const runbook = doc.startsWith("runbooks/");
    items.push({
      kind: runbook ? "runbook" : "doc",
      title,
      detail: runbook ? "Runbook" : `docs/${doc}.md`,
      href: docUrl(doc),
    });
  }
  return items;
}
