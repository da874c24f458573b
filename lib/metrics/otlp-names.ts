// OTLP metric and attribute names → Prometheus names, as Prometheus's OTLP receiver
// makes them with its default settings (translation_strategy
// UnderscoreEscapingWithSuffixes, label_name_underscore_sanitization and
// label_name_preserve_multiple_underscores on; github.com/prometheus/otlptranslator
// v1.0.0), so a query written against Prometheus finds the same series here.

export type OtlpMetricType = "gauge" | "counter" | "nonMonotonicSum" | "histogram" | "summary";

// UCUM units (https://ucum.org/ucum.html) as OpenTelemetry uses them → Prometheus base-unit words.
const UNITS: Record<string, string> = {
  d: "days",
  h: "hours",
  min: "minutes",
  s: "seconds",
  ms: "milliseconds",
  us: "microseconds",
  ns: "nanoseconds",
  By: "bytes",
  KiBy: "kibibytes",
  MiBy: "mebibytes",
  GiBy: "gibibytes",
  TiBy: "tibibytes",
  KBy: "kilobytes",
  MBy: "megabytes",
  GBy: "gigabytes",
  TBy: "terabytes",
  m: "meters",
  V: "volts",
  A: "amperes",
  J: "joules",
  W: "watts",
  g: "grams",
  Cel: "celsius",
  Hz: "hertz",
  "1": "",
  "%": "percent",
};

// The unit after a "/": singular, as in "bytes_per_second".
const PER_UNITS: Record<string, string> = {
  s: "second",
  m: "minute",
  h: "hour",
  d: "day",
  w: "week",
  mo: "month",
  y: "year",
};

function lookup(table: Record<string, string>, key: string): string {
  return Object.hasOwn(table, key) ? table[key]! : key;
}

/** The unit's main and "per" name parts, e.g. "By/s" → ["bytes", "per_second"]. */
function unitSuffixes(unit: string): [main: string, per: string] {
  const slash = unit.indexOf("/");
  const mainUnit = (slash < 0 ? unit : unit.slice(0, slash)).trim();
  const perUnit = slash < 0 ? "" : unit.slice(slash + 1).trim();
  // Annotations in braces ("{requests}") are not units.
  const main = mainUnit !== "" && !/[{}]/.test(mainUnit) ? lookup(UNITS, mainUnit) : "";
  const per = perUnit !== "" && !/[{}]/.test(perUnit) ? lookup(PER_UNITS, perUnit) : "";
  return [main, per === "" ? "" : `per_${per}`];
}

function cleanUnit(unit: string): string {
  return unit
    .replace(/[^a-zA-Z0-9:]/gu, "_")
    .replace(/_{2,}/g, "_")
    .replace(/^_/, "");
}

function trimUnderscore(s: string): string {
  return s.endsWith("_") ? s.slice(0, -1) : s;
}

/**
 * The Prometheus metric name for an OTLP metric, suffixes included: units, `_total` for
 * monotonic sums, `_ratio` for gauges of unit "1". Throws when nothing valid is left.
 */
export function otlpMetricName(name: string, unit: string, type: OtlpMetricType): string {
  // Splitting on every character a metric name may not hold also folds runs of
  // underscores into one, as the OpenTelemetry-to-Prometheus spec asks.
  let tokens = name.split(/[^a-zA-Z0-9:]+/u).filter((t) => t !== "");
  const [rawMain, rawPer] = unitSuffixes(unit);
  let main = cleanUnit(rawMain);
  let per = cleanUnit(rawPer);
  if (tokens.includes(main)) main = "";
  if (per === "per_") per = "";
  else {
    per = trimUnderscore(per);
    if (tokens.includes(per)) per = "";
  }
  if (per !== "") main = trimUnderscore(main);
  if (main !== "") tokens.push(main);
  if (per !== "") tokens.push(per);

  if (type === "counter") tokens = [...tokens.filter((t) => t !== "total"), "total"];
  // Only gauges: some instrumentations give counts of things the unit "1".
  if (unit === "1" && type === "gauge") tokens = [...tokens.filter((t) => t !== "ratio"), "ratio"];

  let out = tokens.join("_");
  if (/^[0-9]/.test(out)) out = `_${out}`;
  if (out === "")
    throw new Error(`metric name ${JSON.stringify(name)} leaves nothing once made valid`);
  if (out !== name && /^_+$/.test(out)) {
    throw new Error(`metric name ${JSON.stringify(name)} leaves only underscores once made valid`);
  }
  return out;
}

/** The Prometheus label name for an OTLP attribute key. Throws when nothing valid is left. */
export function otlpLabelName(key: string): string {
  if (key === "") throw new Error("an attribute has an empty key");
  let out = key.replace(/[^a-zA-Z0-9]/gu, "_");
  if (/^[0-9]/.test(out)) out = `key_${out}`;
  // "_x" becomes "key_x"; "__x" is left alone, as names Prometheus reserves start so.
  else if (out.startsWith("_") && !out.startsWith("__")) out = `key${out}`;
  if (/^_+$/.test(out)) {
    throw new Error(
      `attribute key ${JSON.stringify(key)} leaves only underscores once made a label name`,
    );
  }
  return out;
}

/** strconv.FormatFloat(x, 'f', -1, 64): shortest round-trip digits, never an exponent. */
export function formatFloatFixed(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "+Inf";
  if (x === -Infinity) return "-Inf";
  if (Object.is(x, -0)) return "-0";
  const s = String(x);
  const e = s.indexOf("e");
  if (e < 0) return s;
  const negative = s.startsWith("-");
  const mantissa = s.slice(negative ? 1 : 0, e);
  const exponent = Number(s.slice(e + 1));
  const point = mantissa.indexOf(".");
  const digits = mantissa.replace(".", "");
  // Where the decimal point falls within `digits` once the exponent is applied.
  const at = (point < 0 ? mantissa.length : point) + exponent;
  let fixed: string;
  if (at <= 0) fixed = `0.${"0".repeat(-at)}${digits}`;
  else if (at >= digits.length) fixed = digits + "0".repeat(at - digits.length);
  else fixed = `${digits.slice(0, at)}.${digits.slice(at)}`;
  return negative ? `-${fixed}` : fixed;
}
