import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as JsonExporter,
} from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtoExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { expect, request as requests, test, type APIRequestContext } from "@playwright/test";
import snappy from "snappyjs";
import { writeRequest } from "../test/protobuf-writer";
import { BASE_URL, METRICS_API_TOKEN, PUSH_TOKEN } from "./stack";

const query = async (api: APIRequestContext, q: string) => {
  const res = await api.get(`/api/v1/query?query=${encodeURIComponent(q)}`, {
    headers: { authorization: `Bearer ${METRICS_API_TOKEN}` },
  });
  expect(res.status()).toBe(200);
  return (await res.json()).data.result as {
    metric: Record<string, string>;
    value: [number, string];
  }[];
};

const remoteWrite = (body: Uint8Array, headers: Record<string, string> = {}) => ({
  headers: {
    authorization: `Bearer ${PUSH_TOKEN}`,
    "content-encoding": "snappy",
    "content-type": "application/x-protobuf",
    "x-prometheus-remote-write-version": "0.1.0",
    ...headers,
  },
  data: Buffer.from(body),
});

test("remote write: a pushed sample is queryable within seconds; bad bodies and credentials get 4xx and store nothing", async () => {
  const api = await requests.newContext({ baseURL: BASE_URL });
  const now = Date.now();
  const good = snappy.compress(
    writeRequest([
      {
        labels: [
          ["__name__", "e2e_pushed_jobs"],
          ["job", "ios-batch"],
        ],
        samples: [
          [now - 1000, 41],
          [now, 42],
        ],
      },
    ]),
  );
  // A body that decodes to a series with unsorted labels: the spec's MUST, refused whole.
  const unsorted = snappy.compress(
    writeRequest([
      {
        labels: [
          ["job", "x"],
          ["__name__", "e2e_refused_push"],
        ],
        samples: [[now, 1]],
      },
    ]),
  );
  expect((await api.post("/api/v1/write", { ...remoteWrite(good), headers: {} })).status()).toBe(
    401,
  );
  expect(
    (
      await api.post(
        "/api/v1/write",
        remoteWrite(good, { authorization: `Bearer ${METRICS_API_TOKEN}` }),
      )
    ).status(),
  ).toBe(401);
  expect(
    (await api.post("/api/v1/write", remoteWrite(good, { "content-encoding": "gzip" }))).status(),
  ).toBe(415);
  expect(
    (await api.post("/api/v1/write", remoteWrite(new Uint8Array([1, 2, 3, 4])))).status(),
  ).toBe(400);
  const refused = await api.post("/api/v1/write", remoteWrite(unsorted));
  expect(refused.status()).toBe(400);
  expect(await refused.text()).toMatch(/sorted/);

  expect((await api.post("/api/v1/write", remoteWrite(good))).status()).toBe(204);
  await expect(async () => {
    const [got] = await query(api, "e2e_pushed_jobs");
    expect(got?.metric).toEqual({
      __name__: "e2e_pushed_jobs",
      job: "ios-batch",
      service: "backend",
      environment: "production",
    });
    expect(got?.value[1]).toBe("42");
  }).toPass({ timeout: 15_000 });
  expect(await query(api, "e2e_refused_push")).toEqual([]);
  await api.dispose();
});

test("OTLP/HTTP: the OpenTelemetry SDK's JSON and protobuf exporters push to Opsdeck unchanged", async () => {
  const api = await requests.newContext({ baseURL: BASE_URL });
  const url = `${BASE_URL}/v1/metrics`;
  const headers = { Authorization: `Bearer ${PUSH_TOKEN}` };
  const temporalityPreference = AggregationTemporalityPreference.CUMULATIVE;
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      "service.name": "navi-ios",
      "service.instance.id": "iphone-1",
    }),
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new JsonExporter({ url, headers, temporalityPreference }),
        exportIntervalMillis: 3_600_000,
      }),
      new PeriodicExportingMetricReader({
        exporter: new ProtoExporter({ url, headers, temporalityPreference }),
        exportIntervalMillis: 3_600_000,
      }),
    ],
  });
  const meter = provider.getMeter("e2e");
  meter.createCounter("e2e.taps.sent").add(7, { screen: "watch" });
  meter.createHistogram("e2e.tap.latency", { unit: "ms" }).record(120);
  await provider.forceFlush();
  await provider.shutdown();
  await expect(async () => {
    const taps = await query(api, "e2e_taps_sent_total");
    expect(taps.map((t) => t.metric)).toEqual([
      expect.objectContaining({
        job: "navi-ios",
        instance: "iphone-1",
        screen: "watch",
        service: "backend",
      }),
    ]);
    expect(taps[0]!.value[1]).toBe("7");
    const count = await query(api, "e2e_tap_latency_milliseconds_count");
    expect(count[0]?.value[1]).toBe("1");
  }).toPass({ timeout: 15_000 });

  // A body that is not OTLP: 400 in the encoding asked for, nothing stored.
  const bad = await api.post("/v1/metrics", {
    headers: { ...headers, "content-type": "application/json" },
    data: '{"resourceMetrics": 7}',
  });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).message).toBeTruthy();
  const noToken = await api.post("/v1/metrics", {
    headers: { "content-type": "application/json" },
    data: "{}",
  });
  expect(noToken.status()).toBe(401);
  await api.dispose();
});
