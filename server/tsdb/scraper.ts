import "server-only";
import { createHash } from "node:crypto";
import {
  ExpositionError,
  formatFromContentType,
  parseExposition,
  type MetricFamilyMeta,
} from "@/lib/metrics/exposition";
import { STALE_NAN } from "@/lib/metrics/stale";
import { APP_VERSION } from "@/lib/version";
import type { OpsdeckConfig } from "@/server/config/schema";
import { instanceOf, type ScrapeLimits } from "@/server/config/metrics-schema";
import { authorizationFor } from "@/server/http/credentials";
import { seriesKey, sortLabels, type LabelPairs } from "./labels";
import type { TsdbWriter } from "./writer";

// What Prometheus 2.42 sends: OpenMetrics first, the text format as the fallback.
const ACCEPT =
  "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

export type TargetHealth = "up" | "down" | "unknown";

/** One replica of one target, as the Targets page shows it. */
export type ScrapeStatus = {
  job: string;
  instance: string;
  url: string;
  health: TargetHealth;
  lastScrapeAt: number | undefined;
  durationMs: number | undefined;
  samples: number | undefined;
  lastError: string | undefined;
};

type Relabel = {
  action: "keep" | "drop";
  sourceLabels: string[];
  separator: string;
  regex: { test: (v: string) => boolean };
};

/** Everything one replica's scrape loop needs, built from the config. */
export type ScrapeSpec = {
  job: string;
  instance: string;
  url: string;
  intervalMs: number;
  timeoutMs: number;
  /** The value of the Authorization header, if any; kept only in memory. */
  authorization: string | undefined;
  /** job, instance, service, environment and the target's labels. */
  targetLabels: LabelPairs;
  relabel: Relabel[];
  limits: ScrapeLimits;
};

export function scrapeSpecs(config: OpsdeckConfig): ScrapeSpec[] {
  const s = config.scrape;
  return s.targets.flatMap((t) => {
    const intervalMs = t.interval ?? s.interval;
    const timeoutMs = t.timeout ?? s.timeout ?? Math.min(intervalMs, 10_000);
    const authorization = authorizationFor(t);
    return t.urls.map((url) => {
      const instance = instanceOf(url);
      const labels: Record<string, string> = {
        ...t.labels,
        service: t.service,
        environment: t.environment,
        job: t.id,
        instance,
      };
      return {
        job: t.id,
        instance,
        url,
        intervalMs,
        timeoutMs,
        authorization,
        targetLabels: sortLabels(Object.entries(labels)),
        relabel: t.metricRelabel,
        limits: { ...s.limits, ...t.limits },
      };
    });
  });
}

/** A scrape that failed, with the reason the Targets page shows. */
class ScrapeError extends Error {}

export type ScrapeResult = {
  ok: boolean;
  error: string | undefined;
  durationMs: number;
  /** Samples in the body, before metricRelabel (scrape_samples_scraped). */
  scraped: number;
  /** Samples kept (scrape_samples_post_metric_relabeling). */
  kept: number;
  families: Map<string, MetricFamilyMeta>;
};

/**
 * Scrapes one replica once and appends what it returned, the staleness markers of the
 * series it stopped returning, and the synthetic series (`up`, `scrape_duration_seconds`,
 * `scrape_samples_scraped`, `scrape_samples_post_metric_relabeling`). A failed scrape
 * (unreachable, an HTTP error, a parse error, a broken limit) stores no sample of the
 * body: the target's old data stays, `up` is 0, and the reason is returned.
 */
export class ReplicaScraper {
  /** The series the last successful scrape returned, to mark the vanished ones stale. */
  private previous = new Map<string, LabelPairs>();

  constructor(
    readonly spec: ScrapeSpec,
    private readonly writer: TsdbWriter,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async scrape(now = Date.now()): Promise<ScrapeResult> {
    const started = performance.now();
    let result: Omit<ScrapeResult, "durationMs">;
    try {
      result = await this.collect(now);
    } catch (err) {
      result = {
        ok: false,
        error: describe(err),
        scraped: 0,
        kept: 0,
        families: new Map(),
      };
      this.markAllStale(now);
    }
    const durationMs = performance.now() - started;
    this.synthetic(now, result.ok ? 1 : 0, durationMs, result.scraped, result.kept);
    return { ...result, durationMs };
  }

  /** The target was removed from the config: its series end now. */
  retire(now = Date.now()): void {
    this.markAllStale(now);
    for (const name of SYNTHETIC) this.writer.append(this.syntheticLabels(name), now, STALE_NAN);
  }

  private async collect(now: number): Promise<Omit<ScrapeResult, "durationMs">> {
    const { spec } = this;
    const body = await this.fetchBody();
    const parsed = parseExposition(body.text, formatFromContentType(body.contentType), {
      maxLabels: spec.limits.labels,
      maxLabelNameLength: spec.limits.labelNameLength,
      maxLabelValueLength: spec.limits.labelValueLength,
    });
    const kept: { labels: LabelPairs; t: number; v: number }[] = [];
    for (const s of parsed.samples) {
      const labels = this.withTargetLabels(s.name, s.labels);
      if (!this.keeps(labels)) continue;
      kept.push({ labels, t: s.timestampMs ?? now, v: s.value });
    }
    if (kept.length > spec.limits.samples)
      throw new ScrapeError(
        `sample limit ${spec.limits.samples} exceeded: the target returned ${kept.length} samples after metricRelabel`,
      );
    const seen = new Map<string, LabelPairs>();
    for (const s of kept) {
      const key = seriesKey(s.labels);
      // A body that repeats a series: Prometheus keeps the first and reports the rest.
      if (seen.has(key)) continue;
      seen.set(key, s.labels);
      this.writer.append(s.labels, s.t, s.v);
    }
    for (const [key, labels] of this.previous)
      if (!seen.has(key)) this.writer.append(labels, now, STALE_NAN);
    this.previous = seen;
    return {
      ok: true,
      error: undefined,
      scraped: parsed.samples.length,
      kept: seen.size,
      families: parsed.families,
    };
  }

  private async fetchBody(): Promise<{ text: string; contentType: string | null }> {
    const { spec } = this;
    const headers: Record<string, string> = {
      Accept: ACCEPT,
      "User-Agent": `Opsdeck/${APP_VERSION}`,
      "X-Prometheus-Scrape-Timeout-Seconds": String(spec.timeoutMs / 1000),
    };
    if (spec.authorization) headers.Authorization = spec.authorization;
    let res: Response;
    const signal = AbortSignal.timeout(spec.timeoutMs);
    try {
      res = await this.fetchImpl(spec.url, { headers, signal, redirect: "follow" });
    } catch (err) {
      if (signal.aborted)
        throw new ScrapeError(`timed out after ${spec.timeoutMs / 1000}s (the scrape timeout)`);
      throw err;
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new ScrapeError(`server returned HTTP status ${res.status} ${res.statusText}`.trim());
    }
    const limit = spec.limits.bodyBytes;
    const declared = Number(res.headers.get("content-length"));
    if (Number.isFinite(declared) && declared > limit) {
      await res.body?.cancel();
      throw new ScrapeError(`body size limit exceeded: ${declared} bytes (limit ${limit})`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = res.body?.getReader();
    try {
      for (;;) {
        const next = await reader?.read();
        if (!next || next.done) break;
        size += next.value.byteLength;
        if (size > limit) {
          await reader!.cancel();
          throw new ScrapeError(`body size limit exceeded: more than ${limit} bytes`);
        }
        chunks.push(next.value);
      }
    } catch (err) {
      if (signal.aborted)
        throw new ScrapeError(`timed out after ${spec.timeoutMs / 1000}s (the scrape timeout)`);
      throw err;
    }
    let text: string;
    try {
      // Strict, as Prometheus: invalid UTF-8 or a byte-order mark fails the scrape.
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
        Buffer.concat(chunks),
      );
    } catch {
      throw new ScrapeError("the body is not valid UTF-8");
    }
    return { text, contentType: res.headers.get("content-type") };
  }

  /** The scraped labels under the target's (honor_labels: false, as Prometheus's default). */
  private withTargetLabels(name: string, scraped: [string, string][]): LabelPairs {
    const out: Record<string, string> = {};
    for (const [n, v] of scraped) if (v !== "") out[n] = v;
    for (const [n, v] of this.spec.targetLabels) {
      if (n in out) out[`exported_${n}`] = out[n]!;
      out[n] = v;
    }
    out.__name__ = name;
    return sortLabels(Object.entries(out));
  }

  private keeps(labels: LabelPairs): boolean {
    for (const r of this.spec.relabel) {
      const value = r.sourceLabels
        .map((n) => labels.find(([k]) => k === n)?.[1] ?? "")
        .join(r.separator);
      const match = r.regex.test(value);
      if (r.action === "keep" ? !match : match) return false;
    }
    return true;
  }

  private markAllStale(now: number): void {
    for (const labels of this.previous.values()) this.writer.append(labels, now, STALE_NAN);
    this.previous = new Map();
  }

  private syntheticLabels(name: string): LabelPairs {
    return sortLabels([["__name__", name], ...this.spec.targetLabels]);
  }

  private synthetic(now: number, up: number, ms: number, scraped: number, kept: number): void {
    const values = [up, ms / 1000, scraped, kept];
    SYNTHETIC.forEach((name, i) => this.writer.append(this.syntheticLabels(name), now, values[i]!));
  }
}

const SYNTHETIC = [
  "up",
  "scrape_duration_seconds",
  "scrape_samples_scraped",
  "scrape_samples_post_metric_relabeling",
] as const;

function describe(err: unknown): string {
  if (err instanceof ScrapeError || err instanceof ExpositionError) return err.message;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === "ECONNREFUSED") return "connection refused";
  if (cause?.code === "ENOTFOUND") return "host not found";
  if (cause?.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Where in its interval a replica is scraped: spread by a hash of job and instance, as
 * Prometheus does, so 50 targets do not all fire in the same millisecond.
 */
export function scrapeOffsetMs(spec: Pick<ScrapeSpec, "job" | "instance" | "intervalMs">): number {
  const h = createHash("sha256").update(`${spec.job}\0${spec.instance}`).digest();
  return h.readUInt32BE(0) % spec.intervalMs;
}
