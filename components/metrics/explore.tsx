"use client";

import { useRouter } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import {
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { exploreHref, RANGES, rangeOf, stepFor } from "@/lib/metrics/explore";
import { formatClock, formatZoned } from "@/lib/time-zone";

type PromSeries = { metric: Record<string, string>; values: [number, string][] };
type Answer =
  | {
      ok: true;
      series: PromSeries[];
      resolution: string;
      serverMs: number;
      totalMs: number;
      step: number;
      start: number;
      end: number;
    }
  | { ok: false; error: string; errorType: string };

const COLOURS = [
  "#2563eb",
  "#dc2626",
  "#16a34a",
  "#d97706",
  "#7c3aed",
  "#0891b2",
  "#db2777",
  "#4b5563",
];
/** Lines drawn at most; the table lists them all. */
const MAX_LINES = 30;

function seriesName(metric: Record<string, string>): string {
  const { __name__: name = "", ...rest } = metric;
  const labels = Object.entries(rest)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}="${v}"`)
    .join(", ");
  return labels ? `${name}{${labels}}` : name || "{}";
}

async function runQuery(query: string, rangeMs: number, signal: AbortSignal): Promise<Answer> {
  const end = Date.now();
  const step = stepFor(rangeMs);
  const body = new URLSearchParams({
    query,
    start: String((end - rangeMs) / 1000),
    end: String(end / 1000),
    step: String(step / 1000),
  });
  const started = performance.now();
  try {
    const res = await fetch("/api/v1/query_range", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
      signal,
    });
    const json = await res.json().catch(() => null);
    if (!json) return { ok: false, error: `HTTP ${res.status}`, errorType: "" };
    if (json.status !== "success")
      return {
        ok: false,
        error: json.error ?? `HTTP ${res.status}`,
        errorType: json.errorType ?? "",
      };
    return {
      ok: true,
      series: json.data.result,
      resolution: json.opsdeck?.resolution ?? "remote datasource",
      serverMs: json.opsdeck?.serverMs ?? NaN,
      totalMs: performance.now() - started,
      step,
      start: end - rangeMs,
      end,
    };
  } catch (err) {
    if (signal.aborted) throw err;
    return { ok: false, error: err instanceof Error ? err.message : String(err), errorType: "" };
  }
}

/**
 * The query box, range picker, chart and table of one PromQL query, run through the
 * same /api/v1/query_range Grafana uses. The URL holds the query and range.
 */
export function Explore({
  initialQuery,
  initialRange,
  metricNames,
  labelNames,
  timeZone,
}: {
  initialQuery: string;
  initialRange: string;
  metricNames: string[];
  labelNames: string[];
  timeZone: string;
}) {
  const router = useRouter();
  const [text, setText] = useState(initialQuery);
  const range = rangeOf(initialRange);
  const result = useQuery({
    queryKey: ["explore", initialQuery, range.id],
    queryFn: ({ signal }) => runQuery(initialQuery, range.ms, signal),
    enabled: initialQuery !== "",
    staleTime: Infinity,
    retry: false,
  });
  const answer = initialQuery ? result.data : undefined;
  const busy = result.isFetching;

  const chart = useMemo(() => {
    if (!answer?.ok) return { rows: [], keys: [] as string[] };
    const drawn = answer.series.slice(0, MAX_LINES);
    const byT = new Map<number, Record<string, number | null>>();
    drawn.forEach((s, i) => {
      for (const [t, v] of s.values) {
        const row = byT.get(t) ?? { t: t * 1000 };
        const n = Number(v);
        row[`s${i}`] = Number.isFinite(n) ? n : null;
        byT.set(t, row);
      }
    });
    return {
      rows: [...byT.values()].sort((a, b) => a.t! - b.t!),
      keys: drawn.map((_, i) => `s${i}`),
    };
  }, [answer]);

  // The same query again runs it again, up to now; another one is a new URL.
  const run = (query: string, rangeId: string) => {
    if (query.trim() === initialQuery && rangeId === range.id) void result.refetch();
    else router.push(exploreHref(query.trim(), rangeId));
  };

  return (
    <div className="space-y-4">
      <form
        className="space-y-2"
        onSubmit={(e) => {
          e.preventDefault();
          run(text, range.id);
        }}
      >
        <label className="block text-sm font-medium" htmlFor="promql">
          PromQL query
        </label>
        <textarea
          id="promql"
          name="q"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              run(text, range.id);
            }
          }}
          rows={2}
          maxLength={10_000}
          spellCheck={false}
          placeholder='sum(rate(http_requests_total{job="navi"}[5m])) by (code)'
          className="w-full rounded border border-slate-300 px-2 py-1 font-mono text-sm"
          aria-describedby="promql-help"
        />
        <Completions
          text={text}
          metricNames={metricNames}
          labelNames={labelNames}
          onPick={setText}
        />
        <div className="flex flex-wrap items-center gap-2">
          <span className="text-sm text-slate-600" id="promql-help">
            Range:
          </span>
          {RANGES.map((r) => (
            <button
              key={r.id}
              type="button"
              onClick={() => run(text, r.id)}
              aria-pressed={r.id === range.id}
              className={`rounded border px-2 py-0.5 text-sm ${r.id === range.id ? "border-slate-800 bg-slate-800 text-white" : "border-slate-300 bg-white"}`}
            >
              {r.id}
            </button>
          ))}
          <button
            type="submit"
            className="ml-auto rounded bg-slate-900 px-3 py-1 text-sm text-white"
          >
            {busy ? "Running…" : "Run query"}
          </button>
        </div>
      </form>
      {answer && !answer.ok ? (
        <p
          role="alert"
          className="rounded border border-red-200 bg-red-50 p-3 text-sm text-red-800"
          data-testid="query-error"
        >
          {answer.errorType ? <strong>{answer.errorType}: </strong> : null}
          {answer.error}
        </p>
      ) : null}
      {answer?.ok ? (
        <>
          <p className="text-xs text-slate-500" data-testid="query-stats">
            {answer.series.length} series · step {answer.step / 1000}s · resolution{" "}
            {answer.resolution} · server{" "}
            {Number.isFinite(answer.serverMs) ? `${answer.serverMs.toFixed(1)} ms` : "—"} · total{" "}
            {answer.totalMs.toFixed(0)} ms
            {answer.series.length > MAX_LINES ? ` · the chart draws the first ${MAX_LINES}` : ""}
          </p>
          {answer.series.length === 0 ? (
            <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">
              No series matched in this range.
            </p>
          ) : (
            <div
              className="h-72 rounded-lg border border-slate-200 bg-white p-2"
              data-testid="explore-chart"
            >
              <ResponsiveContainer width="100%" height="100%">
                <LineChart data={chart.rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                  <CartesianGrid stroke="var(--color-slate-200)" strokeDasharray="3 3" />
                  <XAxis
                    dataKey="t"
                    type="number"
                    scale="time"
                    domain={[answer.start, answer.end]}
                    allowDataOverflow
                    tickFormatter={(t: number) =>
                      range.ms > 86_400_000
                        ? formatZoned(t, timeZone).slice(5, 16)
                        : formatClock(t, timeZone)
                    }
                    fontSize={11}
                  />
                  <YAxis fontSize={11} width={72} />
                  <Tooltip
                    contentStyle={{
                      background: "var(--color-white)",
                      borderColor: "var(--color-slate-200)",
                    }}
                    labelFormatter={(t) => formatZoned(new Date(Number(t)), timeZone)}
                    formatter={(v, key) => [
                      v,
                      seriesName(answer.series[Number(String(key).slice(1))]!.metric),
                    ]}
                  />
                  {chart.keys.map((k, i) => (
                    <Line
                      key={k}
                      dataKey={k}
                      dot={false}
                      isAnimationActive={false}
                      stroke={COLOURS[i % COLOURS.length]}
                      connectNulls={false}
                    />
                  ))}
                </LineChart>
              </ResponsiveContainer>
            </div>
          )}
          <ResultTable series={answer.series} />
        </>
      ) : null}
    </div>
  );
}

/** Six significant digits for reading; the cell's title has Prometheus's exact text. */
function readable(value: string): string {
  const n = Number(value);
  if (!Number.isFinite(n) || Number.isInteger(n)) return value;
  return String(Number(n.toPrecision(6)));
}

function ResultTable({ series }: { series: PromSeries[] }) {
  const [page, setPage] = useState(0);
  const size = 50;
  const shown = series.slice(page * size, page * size + size);
  return (
    <div className="space-y-2">
      <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="w-full text-sm" data-testid="explore-table">
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="px-3 py-2">
                Series
              </th>
              <th scope="col" className="px-3 py-2 text-right">
                Last value
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((s, i) => {
              const index = page * size + i;
              const last = s.values.at(-1)?.[1];
              return (
                <tr key={seriesName(s.metric)} className="border-t border-slate-100">
                  <td className="break-all px-3 py-1 font-mono text-xs">
                    {index < MAX_LINES ? (
                      <span
                        aria-hidden
                        className="mr-2 inline-block h-2 w-3 rounded-sm align-middle"
                        style={{ background: COLOURS[index % COLOURS.length] }}
                      />
                    ) : null}
                    {seriesName(s.metric)}
                  </td>
                  <td
                    className="whitespace-nowrap px-3 py-1 text-right font-mono text-xs"
                    title={last}
                  >
                    {last === undefined ? "—" : readable(last)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {series.length > size ? (
        <div className="flex items-center justify-between text-sm text-slate-600">
          <span>
            Showing {page * size + 1}–{Math.min(series.length, (page + 1) * size)} of{" "}
            {series.length} series
          </span>
          <span className="flex gap-3">
            {page > 0 ? (
              <button type="button" className="underline" onClick={() => setPage(page - 1)}>
                ← Previous
              </button>
            ) : null}
            {(page + 1) * size < series.length ? (
              <button type="button" className="underline" onClick={() => setPage(page + 1)}>
                Next →
              </button>
            ) : null}
          </span>
        </div>
      ) : null}
    </div>
  );
}

/** Metric names for the word being typed, and label names inside braces or by(). */
function Completions({
  text,
  metricNames,
  labelNames,
  onPick,
}: {
  text: string;
  metricNames: string[];
  labelNames: string[];
  onPick: (text: string) => void;
}) {
  const word = /[a-zA-Z_:][a-zA-Z0-9_:]*$/.exec(text)?.[0] ?? "";
  const open =
    text.lastIndexOf("{") > text.lastIndexOf("}") ||
    /\b(by|without|on|ignoring)\s*\([^)]*$/.test(text);
  if (word.length < 1) return null;
  const pool = open ? labelNames : metricNames;
  const hits = pool.filter((n) => n.startsWith(word) && n !== word).slice(0, 8);
  if (hits.length === 0) return null;
  return (
    <ul
      className="flex flex-wrap gap-1"
      aria-label={open ? "Label names" : "Metric names"}
      data-testid="completions"
    >
      {hits.map((h) => (
        <li key={h}>
          <button
            type="button"
            className="rounded border border-slate-200 bg-slate-50 px-2 py-0.5 font-mono text-xs"
            onClick={() => onPick(text.slice(0, text.length - word.length) + h)}
          >
            {h}
          </button>
        </li>
      ))}
    </ul>
  );
}
