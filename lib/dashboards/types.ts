// The dashboards' shapes, shared by the config (server/config/dashboards-schema.ts),
// the built-in dashboards (server/dashboards/builtin.ts), the panel API
// (/api/dashboards/…) and the page (components/dashboards/). Safe in the browser.

export const PANEL_TYPES = [
  "timeseries",
  "stat",
  "gauge",
  "bar",
  "table",
  "heatmap",
  "text",
] as const;
export type PanelType = (typeof PANEL_TYPES)[number];

/** How a panel's values are formatted. `percent` is 0–100; `ratio` is 0–1 shown as %. */
export const UNITS = ["seconds", "bytes", "percent", "ratio", "reqps", "count", "none"] as const;
export type Unit = (typeof UNITS)[number];

export type ThresholdColour = "green" | "amber" | "red";
/** Steps, ascending by `value`: a value at or above a step's `value` takes its colour. The first step's value is -Infinity in effect (use null). */
export type ThresholdStep = { value: number | null; colour: ThresholdColour };

/** The variables a dashboard may use in its queries, chosen at the top of the page. */
export const VARIABLES = ["service", "environment", "instance"] as const;
export type VariableName = (typeof VARIABLES)[number];

export type PanelQuery = {
  /** PromQL; `$service`, `$environment`, `$instance` are replaced before it runs. */
  expr: string;
  /** A legend template: `{{status}} {{route}}`; without one, the series' labels. */
  legend?: string;
};

export type PanelSpec = {
  /** Unique within its dashboard; the panel API addresses a panel by it. */
  id: string;
  title: string;
  type: PanelType;
  /** One or more queries (none for a text panel). */
  queries: PanelQuery[];
  unit: Unit;
  decimals?: number;
  thresholds: ThresholdStep[];
  /** timeseries: stacked area instead of lines. */
  stack: boolean;
  /** Show the legend (timeseries, bar, heatmap). */
  legend: boolean;
  /** Columns of a 12-column row (a 390 px screen shows one panel a row whatever this is). */
  width: number;
  /** text: Markdown. Others: a line under the title. */
  description?: string;
  text?: string;
  /**
   * The metric names the queries need. When none of them has a series for the chosen
   * variables, the panel says which metric it expected instead of drawing an empty box.
   * Defaults to the metric names found in the queries.
   */
  expects: string[];
};

export type RowSpec = { title: string; panels: PanelSpec[] };

export type DashboardSpec = {
  id: string;
  title: string;
  description?: string;
  /** Built in (System, API, Database, Replicas) or declared in opsdeck.yaml. */
  source: "builtin" | "config";
  /** Which variables are offered at the top (every query's $names must be among them). */
  variables: VariableName[];
  rows: RowSpec[];
};

/** The time ranges offered; a dragged selection gives any from/to within 90 d. */
export const DASHBOARD_RANGES = [
  { id: "1h", ms: 3_600_000 },
  { id: "6h", ms: 6 * 3_600_000 },
  { id: "24h", ms: 86_400_000 },
  { id: "7d", ms: 7 * 86_400_000 },
  { id: "30d", ms: 30 * 86_400_000 },
  { id: "90d", ms: 90 * 86_400_000 },
] as const;

/** Live refresh intervals offered ("off" is 0). */
export const REFRESH_INTERVALS = [
  { id: "off", ms: 0 },
  { id: "15s", ms: 15_000 },
  { id: "30s", ms: 30_000 },
  { id: "1m", ms: 60_000 },
  { id: "5m", ms: 300_000 },
] as const;

/**
 * The page's state, all of it in the URL: /dashboards/<id>?range=24h (or from=&to= in
 * ms since the epoch, for a dragged selection) &refresh=30s &service= &environment= &instance=
 */
export type DashboardState = {
  range: string | null;
  from: number;
  to: number;
  refreshMs: number;
  vars: Partial<Record<VariableName, string>>;
};

/** One series of a panel's answer. */
export type PanelSeries = {
  /** The query's index in the panel's `queries`. */
  query: number;
  labels: Record<string, string>;
  /** The legend template applied, or the labels printed. */
  name: string;
  /** [ms since the epoch, value]; NaN and ±Inf are given as null. */
  points: [number, number | null][];
};

/**
 * GET /api/dashboards/<dashboard>/panels/<panel>?from=&to=&service=&environment=&instance=
 * (viewer). `format=csv` answers the same data as CSV.
 */
export type PanelAnswer =
  | {
      ok: true;
      /** The queries as run, with the variables replaced. */
      queries: string[];
      series: PanelSeries[];
      stepMs: number;
      /** The store's resolution used: raw, 5m or 1h (the query API's `opsdeck.resolution`). */
      resolution: string;
      serverMs: number;
      /** True when the answer came from the cache (kept for the refresh interval). */
      cached: boolean;
      /** Set when none of `expects` has a series: say this instead of an empty chart. */
      missing?: { metrics: string[]; message: string };
    }
  | { ok: false; error: string; errorType: string };

/** A deploy marker on every time chart. */
export type DeployMarker = {
  at: number;
  service: string;
  environment: string;
  version: string;
  by: string | null;
  kind: "deployment" | "rollback";
  status: string;
  href: string;
};

/** An incident band on every time chart; `end` null while it is open. */
export type IncidentBand = {
  start: number;
  end: number | null;
  service: string;
  environment: string;
  monitor: string;
  title: string;
  href: string;
};

/** GET /api/dashboards/annotations?from=&to=&service=&environment= (viewer). */
export type Annotations = { deploys: DeployMarker[]; incidents: IncidentBand[] };
