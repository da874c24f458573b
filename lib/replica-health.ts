// Per-replica health as the uptime side shows it: the views a page renders and the live
// poll carries (GET /api/live?views=replicas:…), and how a 24 h bar reads.

/**
 * A replica's health now: its last scrape's result, "stale" when that scrape is older
 * than the staleness limit (the scrape loop or the metrics thread has stopped), or
 * "unknown" when it was never scraped.
 */
export type ReplicaHealthName = "up" | "down" | "stale" | "unknown";

/** How many half-hour buckets the bar has, and how long each is: the last 24 hours. */
export const REPLICA_BUCKETS = 48;
export const REPLICA_BUCKET_MS = 30 * 60_000;

/** Replicas a page (and a poll) carries. */
export const REPLICAS_PAGE = 50;

/** A last error longer than this is cut (the Targets page has it whole). */
export const REPLICA_ERROR_CHARS = 300;

/** Service × environment groups the /uptime summary carries, the troubled ones first. */
export const REPLICA_SUMMARY_GROUPS = 12;

export type ReplicaRow = {
  job: string;
  instance: string;
  service: string;
  environment: string;
  health: ReplicaHealthName;
  /** What the last scrape said, also when it is too old to count ("stale"). */
  lastResult: "up" | "down" | null;
  lastScrapeAt: string | null;
  intervalMs: number;
  /** The last scrape's error, trimmed to REPLICA_ERROR_CHARS. */
  lastError: string | null;
  /** avg_over_time(up[24h]): the share of the last day's scrapes that succeeded. */
  availability: number | null;
  /**
   * The mean of `up` in each half hour, oldest first (REPLICA_BUCKETS of them, the last
   * ending at `history.end`); null where the half hour has no scrape. Empty when the
   * history could not be read.
   */
  buckets: (number | null)[];
};

export type ReplicaCounts = Record<ReplicaHealthName, number> & { total: number };

/** Where the 24 h figures came from, and why they are missing if they are. */
export type ReplicaHistory = {
  /** The instant the availability is computed at. */
  at: string | null;
  /** The end of the newest half-hour bucket (a half-hour boundary, at or after `at`). */
  end: string | null;
  datasource: "builtin" | "prometheus";
  /** Why there is no history: the datasource failed or has not answered yet. */
  note: string | null;
};

/** The replicas of one service and environment (or of every one), one page of them. */
export type ReplicaHealthView = {
  at: string;
  key: string;
  service: string;
  environment: string;
  /** Over every replica the view covers, not only this page's. */
  counts: ReplicaCounts;
  rows: ReplicaRow[];
  page: number;
  pages: number;
  history: ReplicaHistory;
};

export type ReplicaGroup = {
  service: string;
  environment: string;
  counts: ReplicaCounts;
};

/** Each service × environment with scrape targets, as /uptime and the Overview summarise them. */
export type ReplicaSummaryView = {
  at: string;
  key: string;
  /** Troubled groups first (down, stale, unknown), at most REPLICA_SUMMARY_GROUPS. */
  groups: ReplicaGroup[];
  /** Groups the filter kept, shown or not. */
  total: number;
  /** Of those, the groups with a replica not up. */
  troubled: number;
  /** Over every group the filter kept. */
  counts: ReplicaCounts;
};

export type ReplicaViewSpec =
  | { kind: "replicas"; service: string; environment: string; page: number }
  | { kind: "replica-summary"; service: string; environment: string };

const PREFIX = { replicas: "replicas:", "replica-summary": "replica-summary:" } as const;
const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * A list filter as a replica view's filter, or null when it names something that is not an
 * id (nothing matches it, and the poll would refuse the key).
 */
export function replicaFilterOf(f: {
  service: string;
  environment: string;
}): { service: string; environment: string } | null {
  const ok = (v: string) => v === "" || ID.test(v);
  return ok(f.service) && ok(f.environment)
    ? { service: f.service, environment: f.environment }
    : null;
}

/** The view's key: the live cache's key and the value the poll sends. */
export function replicaViewKey(v: ReplicaViewSpec): string {
  const q = new URLSearchParams();
  if (v.service) q.set("service", v.service);
  if (v.environment) q.set("environment", v.environment);
  if (v.kind === "replicas" && v.page > 1) q.set("page", String(v.page));
  return `${PREFIX[v.kind]}${q}`;
}

export function isReplicaViewKey(key: string): boolean {
  return key.startsWith(PREFIX.replicas) || key.startsWith(PREFIX["replica-summary"]);
}

/** A key back into its view, or what is wrong with it. */
export function parseReplicaViewKey(key: string): ReplicaViewSpec | { error: string } {
  const kind = key.startsWith(PREFIX.replicas) ? "replicas" : "replica-summary";
  if (key.length > 300) return { error: `${kind}: a view key is at most 300 characters` };
  const q = new URLSearchParams(key.slice(PREFIX[kind].length));
  const allowed =
    kind === "replicas" ? ["service", "environment", "page"] : ["service", "environment"];
  for (const name of q.keys())
    if (!allowed.includes(name))
      return { error: `${kind}: unknown parameter "${name.slice(0, 40)}"` };
  const service = q.get("service") ?? "";
  const environment = q.get("environment") ?? "";
  for (const [name, value] of [
    ["service", service],
    ["environment", environment],
  ] as const)
    if (value && !ID.test(value)) return { error: `${kind}: ${name} is not an id` };
  if (kind === "replica-summary") return { kind, service, environment };
  const raw = q.get("page");
  const page = raw === null ? 1 : Number(raw);
  if (!Number.isInteger(page) || page < 1 || page > 100_000)
    return { error: "replicas: page is a whole number from 1" };
  return { kind, service, environment, page };
}

/** "1 of 2 replicas up", with what else is wrong after it. */
export function replicaHeadline(c: ReplicaCounts): string {
  const head = `${c.up} of ${c.total} replica${c.total === 1 ? "" : "s"} up`;
  const rest = (["down", "stale", "unknown"] as const)
    .filter((h) => c[h] > 0)
    .map((h) => `${c[h]} ${h === "unknown" ? "not scraped yet" : h}`);
  return rest.length ? `${head} · ${rest.join(" · ")}` : head;
}

export type BucketState = "up" | "partial" | "down" | "none";

/** A half hour of `up`: every scrape up, some down, every one down, or none at all. */
export function bucketState(mean: number | null): BucketState {
  if (mean === null || Number.isNaN(mean)) return "none";
  if (mean >= 1) return "up";
  if (mean <= 0) return "down";
  return "partial";
}
