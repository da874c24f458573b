// Bodies made by the real OpenTelemetry JS SDK and its two OTLP/HTTP exporters (JSON and
// protobuf), captured from a local server, decoded, and checked against the names and
// values Prometheus's OTLP receiver gives the same instruments.

import http from "node:http";
import zlib from "node:zlib";
import type { Meter } from "@opentelemetry/api";
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as JsonExporter,
} from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtoExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AggregationType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type ViewOptions,
} from "@opentelemetry/sdk-metrics";
import { describe, expect, it } from "vitest";
import { decodeOtlpMetrics, type OtlpDecodeResult } from "./otlp";
import { PushDecodeError, type DecodeLimits } from "./push";

const limits: DecodeLimits = {
  maxBodyBytes: 1 << 20,
  maxSeries: 1000,
  maxSamples: 10_000,
  maxLabelNameLength: 128,
  maxLabelValueLength: 1024,
  maxLabels: 30,
};

type ContentType = "application/json" | "application/x-protobuf";
interface Captured {
  contentType: ContentType;
  body: Uint8Array;
}

/** Records with `record`, exports once through both exporters, returns both bodies. */
async function exportOnce(
  record: (meter: Meter) => void,
  options: { temporality?: AggregationTemporalityPreference; views?: ViewOptions[] } = {},
): Promise<Record<"json" | "proto", Captured>> {
  const got: Captured[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers["content-encoding"] === "gzip" ? zlib.gunzipSync(raw) : raw;
      got.push({
        contentType: req.headers["content-type"] as ContentType,
        body: new Uint8Array(body),
      });
      res.writeHead(200, { "Content-Type": req.headers["content-type"] }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/metrics`;
  const reader = (exporter: JsonExporter | ProtoExporter) =>
    new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const temporalityPreference = options.temporality ?? AggregationTemporalityPreference.CUMULATIVE;
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      "service.name": "checkout",
      "service.namespace": "shop",
      "service.instance.id": "i-1",
      "host.name": "web-3",
    }),
    views: options.views ?? [],
    readers: [
      reader(new JsonExporter({ url, temporalityPreference })),
      reader(new ProtoExporter({ url, temporalityPreference })),
    ],
  });
  record(provider.getMeter("opsdeck-test", "1.0.0"));
  await provider.forceFlush();
  await provider.shutdown();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const json = got.find((c) => c.contentType === "application/json");
  const proto = got.find((c) => c.contentType === "application/x-protobuf");
  if (!json || !proto)
    throw new Error(`expected a JSON and a protobuf export, got ${got.map((c) => c.contentType)}`);
  return { json, proto };
}

/** Each sample as `name{labels} value`, sorted, for readable exact comparison. */
function table(result: OtlpDecodeResult): string[] {
  return result.series
    .flatMap((s) => {
      const name = s.labels.find(([n]) => n === "__name__")![1];
      const rest = s.labels.filter(([n]) => n !== "__name__").map(([n, v]) => `${n}="${v}"`);
      return [...s.v].map((v) => `${name}{${rest.join(",")}} ${v}`);
    })
    .sort();
}

function decode(c: Captured): OtlpDecodeResult {
  return decodeOtlpMetrics(c.body, c.contentType, limits);
}

function recordAll(meter: Meter): void {
  const requests = meter.createCounter("http.requests", { unit: "1" });
  requests.add(3, { "http.method": "GET", "http.status_code": 200 });
  requests.add(2, { "http.method": "GET", "http.status_code": 200 });
  requests.add(1, { "http.method": "POST", "http.status_code": 500 });
  const depth = meter.createUpDownCounter("queue.depth", { unit: "{items}" });
  depth.add(5);
  depth.add(-2);
  const duration = meter.createHistogram("http.server.duration", {
    unit: "ms",
    advice: { explicitBucketBoundaries: [10, 100, 1000] },
  });
  for (const ms of [12.5, 700, 5]) duration.record(ms, { route: "/a" });
  const memory = meter.createGauge("memory.usage", { unit: "By" });
  memory.record(1024);
  memory.record(2048);
  meter.createCounter("process.cpu.time", { unit: "s" }).add(1.25);
}

const who = 'instance="i-1",job="shop/checkout"';

describe("OTLP from the OpenTelemetry JS SDK", () => {
  it("decodes its protobuf and JSON exports to the same series, named as Prometheus names them", async () => {
    const { json, proto } = await exportOnce(recordAll);
    const fromJson = decode(json);
    const fromProto = decode(proto);
    const want = [
      `http_requests_total{http_method="GET",http_status_code="200",${who}} 5`,
      `http_requests_total{http_method="POST",http_status_code="500",${who}} 1`,
      `http_server_duration_milliseconds_bucket{${who},le="+Inf",route="/a"} 3`,
      `http_server_duration_milliseconds_bucket{${who},le="10",route="/a"} 1`,
      `http_server_duration_milliseconds_bucket{${who},le="100",route="/a"} 2`,
      `http_server_duration_milliseconds_bucket{${who},le="1000",route="/a"} 3`,
      `http_server_duration_milliseconds_count{${who},route="/a"} 3`,
      `http_server_duration_milliseconds_sum{${who},route="/a"} 717.5`,
      `memory_usage_bytes{${who}} 2048`,
      `process_cpu_time_seconds_total{${who}} 1.25`,
      `queue_depth{${who}} 3`,
    ];
    expect(table(fromJson)).toEqual(want);
    expect(table(fromProto)).toEqual(want);
    expect([fromJson.rejectedDataPoints, fromJson.warnings]).toEqual([0, []]);
    expect([fromProto.rejectedDataPoints, fromProto.warnings]).toEqual([0, []]);

    // Every sample sits at the export's time_unix_nano, truncated to ms. The JSON body
    // says it in decimal. The protobuf one was collected by another reader, so only its
    // scale is checked: a wrong ns→ms conversion would be off by a factor of 1000.
    const nanos = /"timeUnixNano":"(\d+)"/.exec(new TextDecoder().decode(json.body))![1]!;
    const t = Number(BigInt(nanos) / BigInt(1_000_000));
    expect(new Set(fromJson.series.flatMap((s) => s.t))).toEqual(new Set([t]));
    const protoTimes = [...new Set(fromProto.series.flatMap((s) => s.t))];
    expect(protoTimes).toHaveLength(1);
    expect(Math.abs(protoTimes[0]! - t)).toBeLessThan(86_400_000);
  });

  it("rejects delta sums and histograms point by point, with warnings, keeping the rest", async () => {
    const { json, proto } = await exportOnce(recordAll, {
      temporality: AggregationTemporalityPreference.DELTA,
    });
    for (const result of [decode(json), decode(proto)]) {
      // The SDK keeps up-down counters and gauges cumulative under a delta preference.
      expect(table(result)).toEqual([`memory_usage_bytes{${who}} 2048`, `queue_depth{${who}} 3`]);
      expect(result.rejectedDataPoints).toBe(4);
      expect(result.warnings).toEqual([
        'metric "http.requests": delta is not supported, only cumulative; 2 data points rejected',
        'metric "http.server.duration": delta is not supported, only cumulative; 1 data point rejected',
        'metric "process.cpu.time": delta is not supported, only cumulative; 1 data point rejected',
      ]);
    }
  });

  it("rejects exponential histograms with a warning", async () => {
    const { json, proto } = await exportOnce(
      (meter) => {
        const h = meter.createHistogram("rpc.duration", { unit: "s" });
        h.record(0.25, { method: "a" });
        h.record(0.5, { method: "b" });
        meter.createGauge("up").record(1);
      },
      {
        views: [
          {
            instrumentName: "rpc.duration",
            aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM },
          },
        ],
      },
    );
    for (const result of [decode(json), decode(proto)]) {
      expect(table(result)).toEqual([`up{${who}} 1`]);
      expect(result.rejectedDataPoints).toBe(2);
      expect(result.warnings).toEqual([
        'metric "rpc.duration": exponential histograms are not supported; 2 data points rejected',
      ]);
    }
  });

  it("refuses every truncation of its bodies with 400", async () => {
    const { json, proto } = await exportOnce(recordAll);
    for (const c of [json, proto]) {
      const statuses = new Set<number>();
      for (let n = 1; n < c.body.length; n++) {
        try {
          decodeOtlpMetrics(c.body.subarray(0, n), c.contentType, limits);
          statuses.add(200);
        } catch (e) {
          if (!(e instanceof PushDecodeError)) throw e;
          statuses.add(e.status);
        }
      }
      expect([c.contentType, [...statuses]]).toEqual([c.contentType, [400]]);
    }
  });

  it("never fails with anything but a PushDecodeError on corrupted protobuf", async () => {
    const { proto } = await exportOnce(recordAll);
    let x = 12345;
    const random = () => (x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const outcomes = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const b = Uint8Array.from(proto.body);
      for (let k = 0; k < 3; k++) b[Math.floor(random() * b.length)] = Math.floor(random() * 256);
      try {
        decodeOtlpMetrics(b, "application/x-protobuf", limits);
        outcomes.add("decoded");
      } catch (e) {
        if (!(e instanceof PushDecodeError)) throw e;
        outcomes.add(String(e.status));
      }
    }
    // Most corruptions land in values and still decode; the rest are refused as 400.
    expect([...outcomes].sort()).toEqual(["400", "decoded"]);
  });
});
