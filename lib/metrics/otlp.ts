// Decodes an OTLP/HTTP metrics export (ExportMetricsServiceRequest, as protobuf or as
// OTLP's JSON mapping) into Prometheus series the way Prometheus's OTLP receiver
// translates them (storage/remote/otlptranslator): a malformed body is refused whole;
// data points that are well-formed but have no Prometheus equivalent (delta
// temporality, exponential histograms, no timestamp) are rejected one by one and
// counted, for the response's partial_success.

import { formatFloatFixed, otlpLabelName, otlpMetricName, type OtlpMetricType } from "./otlp-names";
import { ProtobufError, ProtoReader } from "./protobuf";
import {
  checkBodySize,
  checkLabelLimits,
  PushDecodeError,
  SeriesCollector,
  type SampleBuffer,
  type DecodeLimits,
  type PushedSeries,
} from "./push";
import { STALE_NAN } from "./stale";

export interface OtlpDecodeResult {
  series: PushedSeries[];
  /** For ExportMetricsPartialSuccess.rejected_data_points. */
  rejectedDataPoints: number;
  /** For ExportMetricsPartialSuccess.error_message; at most MAX_WARNINGS + 1 lines. */
  warnings: string[];
}

export const MAX_WARNINGS = 20;

// Attribute values nest (arrays and maps of values); past this depth a body is refused.
const MAX_VALUE_DEPTH = 16;

const TEMPORALITY_DELTA = 1;
const TEMPORALITY_CUMULATIVE = 2;
const FLAG_NO_RECORDED_VALUE = 1;

export function decodeOtlpMetrics(
  body: Uint8Array,
  contentType: "application/x-protobuf" | "application/json",
  limits: DecodeLimits,
): OtlpDecodeResult {
  checkBodySize(body, limits);
  const budget = new PointBudget(limits.maxSamples);
  let resources: Resource[];
  if (contentType === "application/x-protobuf") {
    try {
      resources = decodeProtoRequest(ProtoReader.of(body), budget);
    } catch (e) {
      if (e instanceof ProtobufError) throw new PushDecodeError(400, e.message);
      throw e;
    }
  } else if (contentType === "application/json") {
    resources = decodeJsonRequest(parseJson(body), budget);
  } else {
    throw new PushDecodeError(
      415,
      `content type ${JSON.stringify(contentType)} is not application/x-protobuf or application/json`,
    );
  }
  return translate(resources, limits);
}

// ---------------------------------------------------------------------------------
// The request, as either encoding decodes it.

/** An attribute value (common.v1.AnyValue). */
type AnyValue =
  | { t: "empty" }
  | { t: "str"; v: string }
  | { t: "bool"; v: boolean }
  /** int64, as exact decimal digits. */
  | { t: "int"; v: string }
  | { t: "double"; v: number }
  | { t: "bytes"; v: Uint8Array }
  | { t: "array"; v: AnyValue[] }
  | { t: "kvlist"; v: [string, AnyValue][] };

type Attributes = [string, AnyValue][];

interface Point {
  attributes: Attributes;
  /** time_unix_nano in ms, truncated as Prometheus does; 0 when unset. */
  t: number;
  hasTime: boolean;
  flags: number;
}

interface NumberPoint extends Point {
  value: number;
}

interface HistogramPoint extends Point {
  count: number;
  sum: number | undefined;
  bucketCounts: number[];
  bounds: number[];
}

interface SummaryPoint extends Point {
  count: number;
  sum: number;
  quantiles: { quantile: number; value: number }[];
}

type MetricData =
  | { kind: "gauge"; points: NumberPoint[] }
  | { kind: "sum"; temporality: number; monotonic: boolean; points: NumberPoint[] }
  | { kind: "histogram"; temporality: number; points: HistogramPoint[] }
  | { kind: "exponentialHistogram"; temporality: number; points: number }
  | { kind: "summary"; points: SummaryPoint[] };

interface Metric {
  name: string;
  unit: string;
  data: MetricData | undefined;
  /** Where the metric is in the request, for error messages. */
  path: string;
}

interface Resource {
  attributes: Attributes;
  metrics: Metric[];
}

/** Refuses a body with more data points than the request may have samples, early. */
class PointBudget {
  private n = 0;
  constructor(private readonly max: number) {}
  take(): void {
    if (++this.n > this.max) {
      throw new PushDecodeError(
        413,
        `more than ${this.max} data points; the limit is ${this.max} samples per request`,
      );
    }
  }
}

/** ns since the epoch as two unsigned 32-bit halves → ms, exactly, truncating. */
function nanosToMs(hi: number, lo: number): number {
  // hi·2^32 = hi·4294·10^6 + hi·967296; every partial stays below 2^53.
  return hi * 4294 + Math.floor((hi * 967296 + lo) / 1e6);
}

// ---------------------------------------------------------------------------------
// Protobuf.

function decodeProtoRequest(r: ProtoReader, budget: PointBudget): Resource[] {
  const out: Resource[] = [];
  while (r.next()) {
    if (r.field === 1)
      out.push(protoResourceMetrics(r.message("resourceMetrics", out.length), budget));
    else r.skip();
  }
  return out;
}

function protoResourceMetrics(r: ProtoReader, budget: PointBudget): Resource {
  const res: Resource = { attributes: [], metrics: [] };
  let scopes = 0;
  while (r.next()) {
    if (r.field === 1) {
      const rr = r.message("resource");
      while (rr.next()) {
        if (rr.field === 1)
          res.attributes.push(protoKeyValue(rr.message("attributes", res.attributes.length), 0));
        else rr.skip();
      }
    } else if (r.field === 2) {
      const sr = r.message("scopeMetrics", scopes++);
      while (sr.next()) {
        // The scope (1) is not made into labels: Prometheus's default leaves it out too.
        if (sr.field === 2)
          res.metrics.push(protoMetric(sr.message("metrics", res.metrics.length), budget));
        else sr.skip();
      }
    } else r.skip();
  }
  return res;
}

function protoKeyValue(r: ProtoReader, depth: number): [string, AnyValue] {
  let key = "";
  let value: AnyValue = { t: "empty" };
  while (r.next()) {
    if (r.field === 1) key = r.string();
    else if (r.field === 2) value = protoAnyValue(r.message("value"), depth + 1);
    else r.skip();
  }
  return [key, value];
}

function protoAnyValue(r: ProtoReader, depth: number): AnyValue {
  if (depth > MAX_VALUE_DEPTH) r.fail(`attribute values nested more than ${MAX_VALUE_DEPTH} deep`);
  let value: AnyValue = { t: "empty" };
  while (r.next()) {
    switch (r.field) {
      case 1:
        value = { t: "str", v: r.string() };
        break;
      case 2:
        value = { t: "bool", v: r.bool() };
        break;
      case 3:
        value = { t: "int", v: r.int64String() };
        break;
      case 4:
        value = { t: "double", v: r.double() };
        break;
      case 5: {
        const items: AnyValue[] = [];
        const ar = r.message("arrayValue");
        while (ar.next()) {
          if (ar.field === 1)
            items.push(protoAnyValue(ar.message("values", items.length), depth + 1));
          else ar.skip();
        }
        value = { t: "array", v: items };
        break;
      }
      case 6: {
        const kvs: [string, AnyValue][] = [];
        const kr = r.message("kvlistValue");
        while (kr.next()) {
          if (kr.field === 1) kvs.push(protoKeyValue(kr.message("values", kvs.length), depth + 1));
          else kr.skip();
        }
        value = { t: "kvlist", v: kvs };
        break;
      }
      case 7:
        value = { t: "bytes", v: r.bytes() };
        break;
      default:
        r.skip();
    }
  }
  return value;
}

function protoMetric(r: ProtoReader, budget: PointBudget): Metric {
  const m: Metric = { name: "", unit: "", data: undefined, path: r.path() };
  const numberPoint = (p: ProtoReader) => protoNumberPoint(p, budget);
  const histogramPoint = (p: ProtoReader) => protoHistogramPoint(p, budget);
  const summaryPoint = (p: ProtoReader) => protoSummaryPoint(p, budget);
  // A data field sent twice replaces the first, where protobuf would merge the two;
  // no exporter sends one twice.
  while (r.next()) {
    switch (r.field) {
      case 1:
        m.name = r.string();
        break;
      case 3:
        m.unit = r.string();
        break;
      case 5:
        m.data = { kind: "gauge", points: protoDataPoints(r.message("gauge"), numberPoint) };
        break;
      case 7: {
        const sum = {
          kind: "sum" as const,
          temporality: 0,
          monotonic: false,
          points: [] as NumberPoint[],
        };
        sum.points = protoDataPoints(r.message("sum"), numberPoint, (x) =>
          x.field === 3 ? (sum.monotonic = x.bool()) : protoTemporality(x, sum),
        );
        m.data = sum;
        break;
      }
      case 9: {
        const h = { kind: "histogram" as const, temporality: 0, points: [] as HistogramPoint[] };
        h.points = protoDataPoints(r.message("histogram"), histogramPoint, (x) =>
          protoTemporality(x, h),
        );
        m.data = h;
        break;
      }
      case 10: {
        const e = { kind: "exponentialHistogram" as const, temporality: 0, points: 0 };
        const walk = (p: ProtoReader) => {
          // Rejected later, but still walked, so a malformed one refuses the body.
          budget.take();
          while (p.next()) p.skip();
        };
        e.points = protoDataPoints(r.message("exponentialHistogram"), walk, (x) =>
          protoTemporality(x, e),
        ).length;
        m.data = e;
        break;
      }
      case 11:
        m.data = { kind: "summary", points: protoDataPoints(r.message("summary"), summaryPoint) };
        break;
      default:
        // description (2), metadata (12).
        r.skip();
    }
  }
  return m;
}

/** A Gauge, Sum, Histogram…: its data points (field 1) decoded by `point`, other fields to `other`. */
function protoDataPoints<P>(
  r: ProtoReader,
  point: (r: ProtoReader) => P,
  other: (r: ProtoReader) => void = (x) => x.skip(),
): P[] {
  const points: P[] = [];
  while (r.next()) {
    if (r.field === 1) points.push(point(r.message("dataPoints", points.length)));
    else other(r);
  }
  return points;
}

function protoTemporality(r: ProtoReader, into: { temporality: number }): void {
  if (r.field === 2) into.temporality = r.uint32();
  else r.skip();
}

/** Reads the fields every data point has; false if `r`'s current field is not one. */
function protoPointField(
  r: ProtoReader,
  p: Point,
  attributesField: number,
  flagsField: number,
): boolean {
  if (r.field === attributesField) {
    p.attributes.push(protoKeyValue(r.message("attributes", p.attributes.length), 0));
  } else if (r.field === 3) {
    r.fixed64();
    p.t = nanosToMs(r.hi, r.lo);
    p.hasTime = (r.hi | r.lo) !== 0;
  } else if (r.field === 2) {
    r.fixed64(); // start_time_unix_nano: Prometheus 2 and 3 store no start times.
  } else if (r.field === flagsField) {
    p.flags = r.uint32();
  } else return false;
  return true;
}

function newPoint(): Point {
  return { attributes: [], t: 0, hasTime: false, flags: 0 };
}

function protoNumberPoint(r: ProtoReader, budget: PointBudget): NumberPoint {
  budget.take();
  const p: NumberPoint = { ...newPoint(), value: 0 };
  while (r.next()) {
    if (protoPointField(r, p, 7, 8)) continue;
    if (r.field === 4) p.value = r.double();
    else if (r.field === 6) p.value = r.sfixed64();
    else r.skip();
  }
  return p;
}

function protoHistogramPoint(r: ProtoReader, budget: PointBudget): HistogramPoint {
  budget.take();
  const p: HistogramPoint = {
    ...newPoint(),
    count: 0,
    sum: undefined,
    bucketCounts: [],
    bounds: [],
  };
  while (r.next()) {
    if (protoPointField(r, p, 9, 10)) continue;
    if (r.field === 4) p.count = r.fixed64();
    else if (r.field === 5) p.sum = r.double();
    else if (r.field === 6) r.fixed64s(p.bucketCounts);
    else if (r.field === 7) r.doubles(p.bounds);
    else r.skip();
  }
  return p;
}

function protoSummaryPoint(r: ProtoReader, budget: PointBudget): SummaryPoint {
  budget.take();
  const p: SummaryPoint = { ...newPoint(), count: 0, sum: 0, quantiles: [] };
  while (r.next()) {
    if (protoPointField(r, p, 7, 8)) continue;
    if (r.field === 4) p.count = r.fixed64();
    else if (r.field === 5) p.sum = r.double();
    else if (r.field === 6) {
      const q = { quantile: 0, value: 0 };
      const qr = r.message("quantileValues", p.quantiles.length);
      while (qr.next()) {
        if (qr.field === 1) q.quantile = qr.double();
        else if (qr.field === 2) q.value = qr.double();
        else qr.skip();
      }
      p.quantiles.push(q);
    } else r.skip();
  }
  return p;
}

// ---------------------------------------------------------------------------------
// JSON (OTLP's mapping: proto3 JSON with lowerCamelCase keys, 64-bit integers as
// decimal strings or numbers, enums as integers). Like the Go decoder Prometheus uses,
// this also takes the proto's snake_case names and enum names; unknown keys are ignored,
// as the OTLP spec requires. Where a oneof appears twice, the last key wins.

type JsonObject = Record<string, unknown>;

const utf8 = new TextDecoder("utf-8", { fatal: true });

function parseJson(body: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new PushDecodeError(400, "body is not valid UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PushDecodeError(400, `body is not valid JSON: ${(e as Error).message}`);
  }
}

function jsonFail(path: string, message: string): never {
  throw new PushDecodeError(400, `${path || "body"}: ${message}`);
}

function shown(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  const s = JSON.stringify(v) ?? String(v);
  return `${typeof v} ${s.length > 40 ? `${s.slice(0, 40)}…` : s}`;
}

/** A message's fields as [camelCaseName, value, path] (snake_case names converted). */
function fields(v: unknown, path: string): [string, unknown, string][] {
  if (v === undefined || v === null) return [];
  if (typeof v !== "object" || Array.isArray(v))
    jsonFail(path, `expected an object, got ${shown(v)}`);
  return Object.entries(v as JsonObject).map(([k, x]) => {
    const name = k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    return [name, x, path ? `${path}.${name}` : name];
  });
}

function jsonArray(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) jsonFail(path, `expected an array, got ${shown(v)}`);
  return v;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function jsonString(v: unknown, path: string): string {
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") jsonFail(path, `expected a string, got ${shown(v)}`);
  // JSON can escape half a surrogate pair, which no UTF-8 string can hold.
  if (LONE_SURROGATE.test(v))
    jsonFail(path, "string holds an unpaired surrogate (\\ud800–\\udfff)");
  return v;
}

function jsonBool(v: unknown, path: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") jsonFail(path, `expected true or false, got ${shown(v)}`);
  return v;
}

const TWO_64 = BigInt(2) ** BigInt(64);

function jsonInteger(v: unknown, path: string, signed: boolean, bits: 32 | 64): bigint {
  if (v === undefined || v === null) return BigInt(0);
  let n: bigint;
  if (typeof v === "number" && Number.isInteger(v)) n = BigInt(v);
  else if (typeof v === "string" && (signed ? /^-?[0-9]+$/ : /^[0-9]+$/).test(v)) n = BigInt(v);
  else jsonFail(path, `expected ${signed ? "an" : "an unsigned"} integer, got ${shown(v)}`);
  const span = bits === 64 ? TWO_64 : BigInt(2) ** BigInt(32);
  const min = signed ? -(span / BigInt(2)) : BigInt(0);
  const max = signed ? span / BigInt(2) - BigInt(1) : span - BigInt(1);
  if (n < min || n > max) jsonFail(path, `${n} does not fit in ${signed ? "int" : "uint"}${bits}`);
  return n;
}

function jsonUint32(v: unknown, path: string): number {
  return Number(jsonInteger(v, path, false, 32));
}

/** An enum: its number, or (leniently) its name. */
function jsonEnum(v: unknown, path: string, names: Record<string, number>): number {
  if (typeof v === "string" && Object.hasOwn(names, v)) return names[v]!;
  return jsonUint32(v, path);
}

const TEMPORALITIES = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: TEMPORALITY_DELTA,
  AGGREGATION_TEMPORALITY_CUMULATIVE: TEMPORALITY_CUMULATIVE,
};

function jsonDouble(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    if (v === "NaN") return NaN;
    if (v === "Infinity") return Infinity;
    if (v === "-Infinity") return -Infinity;
    // proto3 JSON also takes a number written as a string.
    if (/^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/.test(v)) return Number(v);
  }
  return jsonFail(path, `expected a number, got ${shown(v)}`);
}

function jsonTime(v: unknown, path: string, p: Point): void {
  const ns = jsonInteger(v, path, false, 64);
  p.t = Number(ns / BigInt(1_000_000));
  p.hasTime = ns !== BigInt(0);
}

function base64Bytes(v: unknown, path: string): Uint8Array {
  const s = jsonString(v, path).replace(/-/g, "+").replace(/_/g, "/");
  // proto3 JSON takes standard or URL-safe base64, with or without padding.
  const bare = s.replace(/={1,2}$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(bare) || bare.length % 4 === 1) jsonFail(path, "is not base64");
  const bin = atob(bare + "=".repeat((4 - (bare.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function decodeJsonRequest(v: unknown, budget: PointBudget): Resource[] {
  const out: Resource[] = [];
  for (const [name, x, path] of fields(v, "")) {
    if (name !== "resourceMetrics") continue;
    jsonArray(x, path).forEach((rm, i) =>
      out.push(jsonResourceMetrics(rm, `${path}[${i}]`, budget)),
    );
  }
  return out;
}

function jsonResourceMetrics(v: unknown, path: string, budget: PointBudget): Resource {
  const res: Resource = { attributes: [], metrics: [] };
  for (const [name, x, p] of fields(v, path)) {
    if (name === "resource") {
      for (const [rn, rx, rp] of fields(x, p)) {
        if (rn === "attributes") res.attributes.push(...jsonAttributes(rx, rp, 0));
      }
    } else if (name === "scopeMetrics") {
      jsonArray(x, p).forEach((sm, i) => {
        for (const [sn, sx, sp] of fields(sm, `${p}[${i}]`)) {
          if (sn !== "metrics") continue;
          jsonArray(sx, sp).forEach((m, j) =>
            res.metrics.push(jsonMetric(m, `${sp}[${j}]`, budget)),
          );
        }
      });
    }
  }
  return res;
}

function jsonAttributes(v: unknown, path: string, depth: number): Attributes {
  return jsonArray(v, path).map((kv, i) => {
    const at = `${path}[${i}]`;
    let key = "";
    let value: AnyValue = { t: "empty" };
    for (const [name, x, p] of fields(kv, at)) {
      if (name === "key") key = jsonString(x, p);
      else if (name === "value") value = jsonAnyValue(x, p, depth + 1);
    }
    return [key, value];
  });
}

function jsonAnyValue(v: unknown, path: string, depth: number): AnyValue {
  if (depth > MAX_VALUE_DEPTH)
    jsonFail(path, `attribute values nested more than ${MAX_VALUE_DEPTH} deep`);
  let value: AnyValue = { t: "empty" };
  for (const [name, x, p] of fields(v, path)) {
    switch (name) {
      case "stringValue":
        value = { t: "str", v: jsonString(x, p) };
        break;
      case "boolValue":
        value = { t: "bool", v: jsonBool(x, p) };
        break;
      case "intValue":
        value = { t: "int", v: jsonInteger(x, p, true, 64).toString() };
        break;
      case "doubleValue":
        value = { t: "double", v: jsonDouble(x, p) };
        break;
      case "bytesValue":
        value = { t: "bytes", v: base64Bytes(x, p) };
        break;
      case "arrayValue": {
        const items: AnyValue[] = [];
        for (const [an, ax, ap] of fields(x, p)) {
          if (an !== "values") continue;
          jsonArray(ax, ap).forEach((item, i) =>
            items.push(jsonAnyValue(item, `${ap}[${i}]`, depth + 1)),
          );
        }
        value = { t: "array", v: items };
        break;
      }
      case "kvlistValue": {
        const kvs: [string, AnyValue][] = [];
        for (const [kn, kx, kp] of fields(x, p)) {
          if (kn === "values") kvs.push(...jsonAttributes(kx, kp, depth + 1));
        }
        value = { t: "kvlist", v: kvs };
        break;
      }
    }
  }
  return value;
}

function jsonMetric(v: unknown, path: string, budget: PointBudget): Metric {
  const m: Metric = { name: "", unit: "", data: undefined, path };
  for (const [name, x, p] of fields(v, path)) {
    switch (name) {
      case "name":
        m.name = jsonString(x, p);
        break;
      case "unit":
        m.unit = jsonString(x, p);
        break;
      case "gauge":
        m.data = { kind: "gauge", points: jsonDataPoints(x, p, budget, jsonNumberPoint) };
        break;
      case "sum": {
        let temporality = 0;
        let monotonic = false;
        const points = jsonDataPoints(x, p, budget, jsonNumberPoint, (name, y, at) => {
          if (name === "aggregationTemporality") temporality = jsonEnum(y, at, TEMPORALITIES);
          else if (name === "isMonotonic") monotonic = jsonBool(y, at);
        });
        m.data = { kind: "sum", temporality, monotonic, points };
        break;
      }
      case "histogram": {
        let temporality = 0;
        const points = jsonDataPoints(x, p, budget, jsonHistogramPoint, (name, y, at) => {
          if (name === "aggregationTemporality") temporality = jsonEnum(y, at, TEMPORALITIES);
        });
        m.data = { kind: "histogram", temporality, points };
        break;
      }
      case "exponentialHistogram": {
        let temporality = 0;
        // Rejected later; each point need only be an object.
        const points = jsonDataPoints(x, p, budget, fields, (name, y, at) => {
          if (name === "aggregationTemporality") temporality = jsonEnum(y, at, TEMPORALITIES);
        });
        m.data = { kind: "exponentialHistogram", temporality, points: points.length };
        break;
      }
      case "summary":
        m.data = { kind: "summary", points: jsonDataPoints(x, p, budget, jsonSummaryPoint) };
        break;
    }
  }
  return m;
}

/** A Gauge, Sum, Histogram…: its dataPoints decoded by `point`, other fields to `other`. */
function jsonDataPoints<P>(
  v: unknown,
  path: string,
  budget: PointBudget,
  point: (v: unknown, path: string) => P,
  other: (name: string, v: unknown, path: string) => void = () => {},
): P[] {
  let points: P[] = [];
  for (const [name, x, p] of fields(v, path)) {
    if (name !== "dataPoints") {
      other(name, x, p);
      continue;
    }
    points = jsonArray(x, p).map((pt, i) => {
      budget.take();
      return point(pt, `${p}[${i}]`);
    });
  }
  return points;
}

/** Reads the fields every data point has; false if `name` is not one. */
function jsonPointField(name: string, x: unknown, path: string, p: Point): boolean {
  if (name === "attributes") p.attributes = jsonAttributes(x, path, 0);
  else if (name === "timeUnixNano") jsonTime(x, path, p);
  else if (name === "startTimeUnixNano") jsonInteger(x, path, false, 64);
  else if (name === "flags") p.flags = jsonUint32(x, path);
  else return false;
  return true;
}

function jsonNumberPoint(v: unknown, path: string): NumberPoint {
  const p: NumberPoint = { ...newPoint(), value: 0 };
  for (const [name, x, at] of fields(v, path)) {
    if (jsonPointField(name, x, at, p)) continue;
    if (name === "asDouble") p.value = jsonDouble(x, at);
    else if (name === "asInt") p.value = Number(jsonInteger(x, at, true, 64));
  }
  return p;
}

function jsonHistogramPoint(v: unknown, path: string): HistogramPoint {
  const p: HistogramPoint = {
    ...newPoint(),
    count: 0,
    sum: undefined,
    bucketCounts: [],
    bounds: [],
  };
  for (const [name, x, at] of fields(v, path)) {
    if (jsonPointField(name, x, at, p)) continue;
    if (name === "count") p.count = Number(jsonInteger(x, at, false, 64));
    else if (name === "sum") p.sum = x === null ? undefined : jsonDouble(x, at);
    else if (name === "bucketCounts") {
      p.bucketCounts = jsonArray(x, at).map((c, i) =>
        Number(jsonInteger(c, `${at}[${i}]`, false, 64)),
      );
    } else if (name === "explicitBounds") {
      p.bounds = jsonArray(x, at).map((b, i) => jsonDouble(b, `${at}[${i}]`));
    }
  }
  return p;
}

function jsonSummaryPoint(v: unknown, path: string): SummaryPoint {
  const p: SummaryPoint = { ...newPoint(), count: 0, sum: 0, quantiles: [] };
  for (const [name, x, at] of fields(v, path)) {
    if (jsonPointField(name, x, at, p)) continue;
    if (name === "count") p.count = Number(jsonInteger(x, at, false, 64));
    else if (name === "sum") p.sum = jsonDouble(x, at);
    else if (name === "quantileValues") {
      p.quantiles = jsonArray(x, at).map((q, i) => {
        const out = { quantile: 0, value: 0 };
        for (const [qn, qx, qp] of fields(q, `${at}[${i}]`)) {
          if (qn === "quantile") out.quantile = jsonDouble(qx, qp);
          else if (qn === "value") out.value = jsonDouble(qx, qp);
        }
        return out;
      });
    }
  }
  return p;
}

// ---------------------------------------------------------------------------------
// Translation into Prometheus series.

class Warnings {
  private readonly seen = new Set<string>();

  add(w: string): void {
    this.seen.add(w);
  }

  list(): string[] {
    const all = [...this.seen];
    if (all.length <= MAX_WARNINGS) return all;
    return [...all.slice(0, MAX_WARNINGS), `… and ${all.length - MAX_WARNINGS} more warnings`];
  }
}

interface Context {
  out: SeriesCollector;
  limits: DecodeLimits;
  warnings: Warnings;
  rejected: number;
  /** Attribute key → label name, or why it cannot be one. */
  labelNames: Map<string, string | Error>;
}

function translate(resources: Resource[], limits: DecodeLimits): OtlpDecodeResult {
  const ctx: Context = {
    out: new SeriesCollector(limits),
    limits,
    warnings: new Warnings(),
    rejected: 0,
    labelNames: new Map(),
  };
  for (const res of resources) {
    // service.name (after service.namespace and a slash) is the job, service.instance.id
    // the instance; other resource attributes do not become labels (target_info would
    // carry them; it is not written).
    const service = resourceAttribute(res.attributes, "service.name");
    const namespace = resourceAttribute(res.attributes, "service.namespace");
    const job =
      service === undefined ? "" : namespace === undefined ? service : `${namespace}/${service}`;
    const instance = resourceAttribute(res.attributes, "service.instance.id") ?? "";
    for (const m of res.metrics) translateMetric(m, job, instance, ctx);
  }
  let repeated = 0;
  const series = ctx.out.entries().map(({ labels, samples }) => {
    const s = inTimeOrder(labels, samples);
    repeated += samples.length - s.t.length;
    return s;
  });
  if (repeated > 0) {
    ctx.warnings.add(
      `${repeated} samples had the same millisecond timestamp as a later one of the same series; the later was kept`,
    );
  }
  return { series, rejectedDataPoints: ctx.rejected, warnings: ctx.warnings.list() };
}

/** The first attribute with this key, as Prometheus's lookup takes it. */
function resourceAttribute(attributes: Attributes, key: string): string | undefined {
  const found = attributes.find(([k]) => k === key);
  return found ? anyValueString(found[1]) : undefined;
}

function translateMetric(m: Metric, job: string, instance: string, ctx: Context): void {
  const d = m.data;
  const what = `metric ${JSON.stringify(m.name)}`;
  if (!d) {
    ctx.warnings.add(
      `${what} has no data (no gauge, sum, histogram, exponential histogram or summary)`,
    );
    return;
  }
  const n = typeof d.points === "number" ? d.points : d.points.length;
  const reject = (why: string) => {
    ctx.rejected += n;
    ctx.warnings.add(`${what}: ${why}; ${points(n)} rejected`);
  };
  if (n === 0) {
    ctx.warnings.add(`${what} has no data points`);
    return;
  }
  if (d.kind === "exponentialHistogram") return reject("exponential histograms are not supported");
  if ((d.kind === "sum" || d.kind === "histogram") && d.temporality !== TEMPORALITY_CUMULATIVE) {
    const temporality =
      d.temporality === TEMPORALITY_DELTA ? "delta" : `temporality ${d.temporality}`;
    return reject(`${temporality} is not supported, only cumulative`);
  }
  const type: OtlpMetricType =
    d.kind === "sum" ? (d.monotonic ? "counter" : "nonMonotonicSum") : d.kind;
  let name: string;
  try {
    name = otlpMetricName(m.name, m.unit, type);
  } catch (e) {
    return reject((e as Error).message);
  }

  let untimed = 0;
  d.points.forEach((p: Point, i: number) => {
    if (!p.hasTime) {
      untimed++;
      return;
    }
    const base = pointLabels(p.attributes, job, instance, ctx);
    if (typeof base === "string") {
      ctx.rejected++;
      ctx.warnings.add(`${what}: ${base}; the data point was rejected`);
      return;
    }
    const where = () => `${m.path}.${d.kind}.dataPoints[${i}]`;
    // A point with no recorded value ends its series, as a scrape that lost it would.
    const value = (v: number) => ((p.flags & FLAG_NO_RECORDED_VALUE) !== 0 ? STALE_NAN : v);
    const emit = (suffix: string, v: number, extra?: [string, string]) =>
      emitSample(base, name + suffix, extra, p.t, value(v), where, ctx);
    switch (d.kind) {
      case "gauge":
      case "sum":
        emit("", (p as NumberPoint).value);
        break;
      case "histogram": {
        const h = p as HistogramPoint;
        if (h.sum !== undefined) emit("_sum", h.sum);
        emit("_count", h.count);
        // OTLP buckets count their own range; Prometheus's count everything below le.
        let cumulative = 0;
        for (let b = 0; b < h.bounds.length && b < h.bucketCounts.length; b++) {
          cumulative += h.bucketCounts[b]!;
          emit("_bucket", cumulative, ["le", formatFloatFixed(h.bounds[b]!)]);
        }
        emit("_bucket", h.count, ["le", "+Inf"]);
        break;
      }
      case "summary": {
        const s = p as SummaryPoint;
        emit("_sum", s.sum);
        emit("_count", s.count);
        for (const q of s.quantiles) emit("", q.value, ["quantile", formatFloatFixed(q.quantile)]);
        break;
      }
    }
  });
  if (untimed > 0) {
    ctx.rejected += untimed;
    ctx.warnings.add(`${what}: ${points(untimed)} without time_unix_nano rejected`);
  }
}

function points(n: number): string {
  return n === 1 ? "1 data point" : `${n} data points`;
}

/** A data point's labels before the name: attributes sanitised, then job and instance. */
function pointLabels(
  attributes: Attributes,
  job: string,
  instance: string,
  ctx: Context,
): Map<string, string> | string {
  const sorted = attributes
    .filter(([key]) => key !== "__name__")
    .map(([key, v]): [string, string] => [key, anyValueString(v)])
    .sort(([a], [b]) => compareCodePoints(a, b));
  const labels = new Map<string, string>();
  const sources = new Map<string, string[]>();
  for (const [key, v] of sorted) {
    let name = ctx.labelNames.get(key);
    if (name === undefined) {
      try {
        name = otlpLabelName(key);
      } catch (e) {
        name = e as Error;
      }
      ctx.labelNames.set(key, name);
    }
    if (name instanceof Error) return name.message;
    const keys = sources.get(name) ?? [];
    keys.push(key);
    sources.set(name, keys);
    const existing = labels.get(name);
    // Keys that sanitise alike share one label, values joined in key order, as
    // Prometheus does. An empty value sets nothing: Prometheus drops empty labels.
    if (existing !== undefined) {
      labels.set(name, `${existing};${v}`);
      const list = keys.map((k) => JSON.stringify(k)).join(", ");
      ctx.warnings.add(
        `attributes ${list} collide as label "${name}"; their values were joined with ";"`,
      );
    } else if (v !== "") labels.set(name, v);
  }
  if (job !== "") labels.set("job", job);
  if (instance !== "") labels.set("instance", instance);
  return labels;
}

function emitSample(
  base: Map<string, string>,
  name: string,
  extra: [string, string] | undefined,
  t: number,
  v: number,
  where: () => string,
  ctx: Context,
): void {
  const m = new Map(base);
  if (extra) m.set(extra[0], extra[1]);
  m.set("__name__", name);
  const labels = [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  checkLabelLimits(labels, where, ctx.limits);
  ctx.out.count(1);
  ctx.out.series(labels).push(t, v);
}

/** The series' samples sorted by time; of samples sharing a millisecond, the last sent. */
function inTimeOrder(labels: [string, string][], samples: SampleBuffer): PushedSeries {
  const t = samples.t;
  let ordered = true;
  for (let i = 1; i < t.length && ordered; i++) ordered = t[i]! > t[i - 1]!;
  if (ordered) return { labels, t, v: samples.values() };
  const idx = t.map((_, i) => i).sort((a, b) => t[a]! - t[b]! || a - b);
  const keep = idx.filter((i, k) => k === idx.length - 1 || t[idx[k + 1]!] !== t[i]);
  const v = new Float64Array(keep.length);
  keep.forEach((i, k) => (v[k] = samples.value(i)));
  return { labels, t: keep.map((i) => t[i]!), v };
}

// Go compares strings by UTF-8 bytes, which is code point order; UTF-16 units differ
// from it only above U+FFFF.
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

// ---------------------------------------------------------------------------------
// Attribute values as label text, as pdata's Value.AsString gives them.

function anyValueString(v: AnyValue): string {
  switch (v.t) {
    case "empty":
      return "";
    case "str":
      return v.v;
    case "bool":
      return v.v ? "true" : "false";
    case "int":
      return v.v;
    case "double":
      return jsonNumber(v.v) ?? `json: unsupported value: ${goFloatG(v.v)}`;
    case "bytes":
      return base64(v.v);
    case "array":
    case "kvlist":
      // Go's json.Marshal fails on NaN or ±Inf inside, and AsString gives "" then.
      return jsonValue(v) ?? "";
  }
}

function goFloatG(x: number): string {
  return Number.isNaN(x) ? "NaN" : x > 0 ? "+Inf" : "-Inf";
}

/** A double as Go's encoding/json writes it (ES6 number formatting), or undefined for NaN/±Inf. */
function jsonNumber(x: number): string | undefined {
  if (!Number.isFinite(x)) return undefined;
  return Object.is(x, -0) ? "-0" : String(x);
}

function jsonValue(v: AnyValue): string | undefined {
  switch (v.t) {
    case "empty":
      return "null";
    case "str":
      return jsonQuote(v.v);
    case "bool":
    case "int":
      return String(v.v);
    case "double":
      return jsonNumber(v.v);
    case "bytes":
      return jsonQuote(base64(v.v));
    case "array": {
      const items: string[] = [];
      for (const item of v.v) {
        const s = jsonValue(item);
        if (s === undefined) return undefined;
        items.push(s);
      }
      return `[${items.join(",")}]`;
    }
    case "kvlist": {
      // A Go map: a repeated key keeps its last value, and keys come out sorted.
      const byKey = new Map<string, AnyValue>();
      for (const [k, x] of v.v) byKey.set(k, x);
      const entries: string[] = [];
      for (const k of [...byKey.keys()].sort(compareCodePoints)) {
        const s = jsonValue(byKey.get(k)!);
        if (s === undefined) return undefined;
        entries.push(`${jsonQuote(k)}:${s}`);
      }
      return `{${entries.join(",")}}`;
    }
  }
}

// JSON.stringify escapes as Go's encoder does without HTML escaping, except that Go
// also escapes U+2028 and U+2029.
function jsonQuote(s: string): string {
  return JSON.stringify(s)
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function base64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}
