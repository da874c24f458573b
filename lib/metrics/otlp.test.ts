import { describe, expect, it } from "vitest";
import { ProtoWriter } from "@/test/protobuf-writer";
import { decodeOtlpMetrics, MAX_WARNINGS, type OtlpDecodeResult } from "./otlp";
import { PushDecodeError, type DecodeLimits } from "./push";
import { isStaleNaN } from "./stale";

const limits: DecodeLimits = {
  maxBodyBytes: 1 << 20,
  maxSeries: 1000,
  maxSamples: 10_000,
  maxLabelNameLength: 64,
  maxLabelValueLength: 256,
  maxLabels: 12,
};

// 1700000000.123999999 s: truncated, as Prometheus does, to ...123 ms.
const NS = "1700000000123999999";
const T = 1_700_000_000_123;

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

const service = { attributes: [{ key: "service.name", value: { stringValue: "api" } }] };

function request(metrics: Json[], resource: Json = service): Json {
  return { resourceMetrics: [{ resource, scopeMetrics: [{ scope: { name: "test" }, metrics }] }] };
}

function decodeJson(body: Json, l: DecodeLimits = limits): OtlpDecodeResult {
  return decodeOtlpMetrics(new TextEncoder().encode(JSON.stringify(body)), "application/json", l);
}

function attributes(o: Record<string, string>): Json {
  return Object.entries(o).map(([key, v]) => ({ key, value: { stringValue: v } }));
}

function point(
  value: number,
  attrs: Record<string, string> = {},
  extra: Record<string, Json> = {},
): Json {
  return { attributes: attributes(attrs), timeUnixNano: NS, asDouble: value, ...extra };
}

function gauge(name: string, points: Json[], unit = ""): Json {
  return { name, unit, gauge: { dataPoints: points } };
}

function histogram(name: string, points: Json[], unit = ""): Json {
  return { name, unit, histogram: { aggregationTemporality: 2, dataPoints: points } };
}

/** Each sample as `name{labels} t v`, in output order. */
function samples(result: OtlpDecodeResult): string[] {
  return result.series.flatMap((s) => {
    const name = s.labels.find(([n]) => n === "__name__")![1];
    const rest = s.labels.filter(([n]) => n !== "__name__").map(([n, v]) => `${n}="${v}"`);
    return s.t.map((t, i) => `${name}{${rest.join(",")}} ${t} ${s.v[i]}`);
  });
}

function refusal(f: () => unknown): [number, string] {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PushDecodeError);
    return [(e as PushDecodeError).status, (e as Error).message];
  }
  throw new Error("decoded without error");
}

describe("OTLP translation", () => {
  it("turns a summary into quantile, _sum and _count series", () => {
    const r = decodeJson(
      request([
        {
          name: "rpc.latency",
          unit: "s",
          summary: {
            dataPoints: [
              {
                timeUnixNano: NS,
                count: "10",
                sum: 2.5,
                quantileValues: [
                  { quantile: 0.5, value: 0.2 },
                  { quantile: 0.99, value: 0.9 },
                ],
              },
            ],
          },
        },
      ]),
    );
    expect(samples(r)).toEqual([
      `rpc_latency_seconds_sum{job="api"} ${T} 2.5`,
      `rpc_latency_seconds_count{job="api"} ${T} 10`,
      `rpc_latency_seconds{job="api",quantile="0.5"} ${T} 0.2`,
      `rpc_latency_seconds{job="api",quantile="0.99"} ${T} 0.9`,
    ]);
  });

  it("makes OTLP's per-bucket counts cumulative and writes le as Go's %f would", () => {
    const r = decodeJson(
      request([
        histogram(
          "size",
          [
            {
              timeUnixNano: NS,
              count: "10",
              explicitBounds: [0.005, 0.1, 1e21],
              bucketCounts: ["1", "2", "3", "4"],
            },
          ],
          "By",
        ),
      ]),
    );
    // No sum set: no _sum series. +Inf is the count, as Prometheus writes it.
    expect(samples(r)).toEqual([
      `size_bytes_count{job="api"} ${T} 10`,
      `size_bytes_bucket{job="api",le="0.005"} ${T} 1`,
      `size_bytes_bucket{job="api",le="0.1"} ${T} 3`,
      `size_bytes_bucket{job="api",le="1000000000000000000000"} ${T} 6`,
      `size_bytes_bucket{job="api",le="+Inf"} ${T} 10`,
    ]);
  });

  it("reads only as many buckets as both bounds and counts have", () => {
    const r = decodeJson(
      request([
        histogram("h", [
          { timeUnixNano: NS, count: 4, sum: 0, explicitBounds: [1, 2], bucketCounts: [3] },
        ]),
      ]),
    );
    expect(samples(r)).toEqual([
      `h_sum{job="api"} ${T} 0`,
      `h_count{job="api"} ${T} 4`,
      `h_bucket{job="api",le="1"} ${T} 3`,
      `h_bucket{job="api",le="+Inf"} ${T} 4`,
    ]);
  });

  it("writes the staleness marker for a point flagged as having no recorded value", () => {
    const r = decodeJson(
      request([
        gauge("g", [point(5, {}, { flags: 1 })]),
        histogram("h", [
          {
            timeUnixNano: NS,
            flags: 1,
            count: 2,
            sum: 3,
            explicitBounds: [1],
            bucketCounts: [1, 1],
          },
        ]),
        gauge("other_flags", [point(7, {}, { flags: 2 })]),
      ]),
    );
    const stale = r.series.map((s) => [s.labels[0]![1], [...s.v].map(isStaleNaN)]);
    expect(stale).toEqual([
      ["g", [true]],
      ["h_sum", [true]],
      ["h_count", [true]],
      ["h_bucket", [true]],
      ["h_bucket", [true]],
      ["other_flags", [false]],
    ]);
  });

  it("takes job from service.namespace/service.name and instance from service.instance.id", () => {
    const resource = {
      attributes: [
        { key: "service.name", value: { stringValue: "api" } },
        { key: "service.namespace", value: { stringValue: "prod" } },
        { key: "service.instance.id", value: { stringValue: "pod-7" } },
        { key: "service.name", value: { stringValue: "ignored: the first one counts" } },
        { key: "host.name", value: { stringValue: "not a label" } },
      ],
    };
    const r = decodeJson(
      request([gauge("g", [point(1, { job: "overridden", instance: "too" })])], resource),
    );
    expect(samples(r)).toEqual([`g{instance="pod-7",job="prod/api"} ${T} 1`]);
    // Without service.name a point's own job attribute stays; a namespace alone is no job.
    const bare = { attributes: [{ key: "service.namespace", value: { stringValue: "prod" } }] };
    expect(samples(decodeJson(request([gauge("g", [point(1, { job: "own" })])], bare)))).toEqual([
      `g{job="own"} ${T} 1`,
    ]);
  });

  it("sanitises attribute keys, joins colliding ones, drops empty values and __name__", () => {
    const r = decodeJson(
      request([
        gauge("g", [
          point(1, {
            a_b: "2",
            "a.b": "1",
            "http.method": "GET",
            empty: "",
            __name__: "nope",
            "9lives": "x",
          }),
        ]),
      ]),
    );
    expect(samples(r)).toEqual([`g{a_b="1;2",http_method="GET",job="api",key_9lives="x"} ${T} 1`]);
    expect(r.warnings).toEqual([
      'attributes "a.b", "a_b" collide as label "a_b"; their values were joined with ";"',
    ]);
  });

  it("writes attribute values of every type as Prometheus's receiver does", () => {
    const value = (key: string, v: Json) => ({ key, value: v });
    const r = decodeJson(
      request([
        {
          name: "g",
          gauge: {
            dataPoints: [
              {
                timeUnixNano: NS,
                asInt: "-3",
                attributes: [
                  value("bool", { boolValue: true }),
                  value("int", { intValue: "9007199254740993" }),
                  value("double", { doubleValue: 1.5 }),
                  value("big", { doubleValue: 1e21 }),
                  value("negzero", { doubleValue: "-0" }),
                  value("nan", { doubleValue: "NaN" }),
                  value("bytes", { bytesValue: "AQID_w" }),
                  value("array", {
                    arrayValue: {
                      values: [
                        { stringValue: 'a"\u2028' },
                        { intValue: 1 },
                        { doubleValue: 2.5 },
                        {},
                      ],
                    },
                  }),
                  value("map", {
                    kvlistValue: {
                      values: [
                        { key: "b", value: { boolValue: false } },
                        { key: "a", value: { stringValue: "x" } },
                        { key: "b", value: { intValue: "2" } },
                      ],
                    },
                  }),
                  value("nanarray", { arrayValue: { values: [{ doubleValue: "Infinity" }] } }),
                  value("none", {}),
                ],
              },
            ],
          },
        },
      ]),
    );
    expect(r.series[0]!.labels).toEqual([
      ["__name__", "g"],
      ["array", '["a\\"\\u2028",1,2.5,null]'],
      ["big", "1e+21"],
      ["bool", "true"],
      ["bytes", "AQID/w=="],
      ["double", "1.5"],
      ["int", "9007199254740993"],
      ["job", "api"],
      ["map", '{"a":"x","b":2}'],
      ["nan", "json: unsupported value: NaN"],
      ["negzero", "-0"],
    ]);
    expect([...r.series[0]!.v]).toEqual([-3]);
  });

  it("merges a series' points across the request into time order, the last of a millisecond kept", () => {
    const at = (ns: string, v: number) => ({ timeUnixNano: ns, asDouble: v });
    const body = {
      resourceMetrics: [
        {
          resource: service,
          scopeMetrics: [{ metrics: [gauge("g", [at("1700000002000000000", 3)])] }],
        },
        {
          resource: service,
          scopeMetrics: [
            { metrics: [gauge("g", [at("1700000001000000000", 1), at("1700000001000500000", 2)])] },
          ],
        },
      ],
    };
    const r = decodeJson(body);
    expect(r.series).toEqual([
      {
        labels: [
          ["__name__", "g"],
          ["job", "api"],
        ],
        t: [1_700_000_001_000, 1_700_000_002_000],
        v: Float64Array.of(2, 3),
      },
    ]);
    expect(r.warnings).toEqual([
      "1 samples had the same millisecond timestamp as a later one of the same series; the later was kept",
    ]);
  });

  it("rejects points without a time, metrics it cannot name, and unspecified temporality, counting them", () => {
    const r = decodeJson(
      request([
        gauge("no.time", [{ asDouble: 1 }, point(2)]),
        gauge("@#$", [point(1), point(2)]),
        { name: "s", sum: { isMonotonic: true, dataPoints: [point(1)] } },
        gauge("bad.key", [point(1, { "": "x" }), point(2, { ok: "y" })]),
        { name: "nothing" },
        gauge("empty", []),
      ]),
    );
    expect(samples(r)).toEqual([`no_time{job="api"} ${T} 2`, `bad_key{job="api",ok="y"} ${T} 2`]);
    expect(r.rejectedDataPoints).toBe(5);
    expect(r.warnings).toEqual([
      'metric "no.time": 1 data point without time_unix_nano rejected',
      'metric "@#$": metric name "@#$" leaves nothing once made valid; 2 data points rejected',
      'metric "s": temporality 0 is not supported, only cumulative; 1 data point rejected',
      'metric "bad.key": an attribute has an empty key; the data point was rejected',
      'metric "nothing" has no data (no gauge, sum, histogram, exponential histogram or summary)',
      'metric "empty" has no data points',
    ]);
  });

  it("keeps at most MAX_WARNINGS warnings and says how many more there were", () => {
    const metrics = Array.from({ length: MAX_WARNINGS + 5 }, (_, i) => ({ name: `m${i}` }));
    const r = decodeJson(request(metrics));
    expect(r.warnings).toHaveLength(MAX_WARNINGS + 1);
    expect(r.warnings.at(-1)).toBe("… and 5 more warnings");
  });

  it("accepts snake_case keys, enum names, numbers as strings, and ignores unknown keys", () => {
    const r = decodeJson({
      resource_metrics: [
        {
          resource: service,
          scope_metrics: [
            {
              metrics: [
                {
                  name: "c",
                  future_field: { anything: [1, 2] },
                  sum: {
                    aggregation_temporality: "AGGREGATION_TEMPORALITY_CUMULATIVE",
                    is_monotonic: true,
                    data_points: [{ time_unix_nano: 1.7e18, as_double: "2.5e1" }],
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    expect(samples(r)).toEqual([`c_total{job="api"} 1700000000000 25`]);
  });
});

describe("OTLP protobuf", () => {
  // One request written field by field with the test encoder, and the same in JSON:
  // the two decode alike, which pins every field number the decoder reads.
  it("decodes every field it reads to the same result as the JSON mapping", () => {
    const ns = BigInt(NS);
    const kv = (w: ProtoWriter, field: number, key: string, value: (v: ProtoWriter) => void) =>
      w.message(field, (x) => x.string(1, key).message(2, value));
    const proto = new ProtoWriter()
      .message(1, (rm) => {
        rm.message(1, (res) => {
          kv(res, 1, "service.name", (v) => v.string(1, "api"));
          res.uint(2, 0);
        });
        rm.message(2, (sm) => {
          sm.message(1, (scope) => scope.string(1, "test").string(2, "1.0"));
          sm.message(2, (m) => {
            m.string(1, "temp").string(2, "a description").string(3, "Cel");
            m.message(5, (g) =>
              g.message(1, (p) => {
                kv(p, 7, "room", (v) => v.string(1, "kitchen"));
                kv(p, 7, "floor", (v) => v.uint(3, -2));
                kv(p, 7, "ok", (v) => v.uint(2, 1));
                kv(p, 7, "ratio", (v) => v.double(4, 0.25));
                kv(p, 7, "raw", (v) => v.bytesField(7, [1, 2, 3]));
                kv(p, 7, "list", (v) =>
                  v.message(5, (a) =>
                    a.message(1, (x) => x.string(1, "a")).message(1, (x) => x.uint(3, 7)),
                  ),
                );
                kv(p, 7, "map", (v) => v.message(6, (l) => kv(l, 1, "k", (x) => x.string(1, "v"))));
                p.fixed64(2, ns - BigInt(1))
                  .fixed64(3, ns)
                  .fixed64(6, -40);
                p.message(5, (e) => e.fixed64(2, ns).double(3, 1));
                p.uint(8, 0);
              }),
            );
            m.message(12, (md) => md.string(1, "ignored"));
          });
          sm.message(2, (m) => {
            m.string(1, "requests");
            m.message(7, (s) => {
              s.message(1, (p) => p.fixed64(3, ns).double(4, 12));
              s.uint(2, 2).uint(3, 1);
            });
          });
          sm.message(2, (m) => {
            m.string(1, "latency").string(3, "ms");
            m.message(9, (h) => {
              h.message(1, (p) => {
                p.fixed64(3, ns).fixed64(4, 6).double(5, 99.5);
                // Bucket counts packed; bounds one packed run then one unpacked value.
                p.packedFixed64(6, [1, 2, 3]).packedDoubles(7, [10]).double(7, 100);
                p.uint(10, 1).double(11, 0.5).double(12, 80);
              });
              h.uint(2, 2);
            });
          });
          sm.message(2, (m) => {
            m.string(1, "exp");
            m.message(10, (e) => {
              e.message(1, (p) =>
                p
                  .fixed64(3, ns)
                  .fixed64(4, 3)
                  .message(8, (b) => b.uint(1, 0).uint(2, 3)),
              );
              e.uint(2, 2);
            });
          });
          sm.message(2, (m) => {
            m.string(1, "rpc");
            m.message(11, (s) =>
              s.message(1, (p) => {
                p.fixed64(3, ns).fixed64(4, 4).double(5, 1.5);
                p.message(6, (q) => q.double(1, 0.5).double(2, 0.3));
              }),
            );
          });
          sm.string(3, "https://schema");
        });
        rm.string(3, "https://schema");
      })
      .finish();

    const json = request([
      {
        name: "temp",
        unit: "Cel",
        gauge: {
          dataPoints: [
            {
              timeUnixNano: NS,
              asInt: "-40",
              attributes: [
                { key: "room", value: { stringValue: "kitchen" } },
                { key: "floor", value: { intValue: "-2" } },
                { key: "ok", value: { boolValue: true } },
                { key: "ratio", value: { doubleValue: 0.25 } },
                { key: "raw", value: { bytesValue: "AQID" } },
                {
                  key: "list",
                  value: { arrayValue: { values: [{ stringValue: "a" }, { intValue: 7 }] } },
                },
                {
                  key: "map",
                  value: { kvlistValue: { values: [{ key: "k", value: { stringValue: "v" } }] } },
                },
              ],
            },
          ],
        },
      },
      {
        name: "requests",
        sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [point(12)] },
      },
      histogram(
        "latency",
        [
          {
            timeUnixNano: NS,
            count: 6,
            sum: 99.5,
            bucketCounts: [1, 2, 3],
            explicitBounds: [10, 100],
            flags: 1,
          },
        ],
        "ms",
      ),
      {
        name: "exp",
        exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: NS }] },
      },
      {
        name: "rpc",
        summary: {
          dataPoints: [
            {
              timeUnixNano: NS,
              count: 4,
              sum: 1.5,
              quantileValues: [{ quantile: 0.5, value: 0.3 }],
            },
          ],
        },
      },
    ]);

    const fromProto = decodeOtlpMetrics(proto, "application/x-protobuf", limits);
    const fromJson = decodeJson(json);
    const shape = (r: OtlpDecodeResult) => ({
      samples: samples(r),
      stale: r.series.map((s) => [...s.v].map(isStaleNaN)),
      rejected: r.rejectedDataPoints,
      warnings: r.warnings,
    });
    expect(shape(fromProto)).toEqual(shape(fromJson));
    expect(samples(fromProto)).toEqual([
      `temp_celsius{floor="-2",job="api",list="["a",7]",map="{"k":"v"}",ok="true",ratio="0.25",raw="AQID",room="kitchen"} ${T} -40`,
      `requests_total{job="api"} ${T} 12`,
      `latency_milliseconds_sum{job="api"} ${T} NaN`,
      `latency_milliseconds_count{job="api"} ${T} NaN`,
      `latency_milliseconds_bucket{job="api",le="10"} ${T} NaN`,
      `latency_milliseconds_bucket{job="api",le="100"} ${T} NaN`,
      `latency_milliseconds_bucket{job="api",le="+Inf"} ${T} NaN`,
      `rpc_sum{job="api"} ${T} 1.5`,
      `rpc_count{job="api"} ${T} 4`,
      `rpc{job="api",quantile="0.5"} ${T} 0.3`,
    ]);
    expect(fromProto.rejectedDataPoints).toBe(1);
  });

  it("refuses protobuf that is not valid UTF-8 where strings are", () => {
    const w = new ProtoWriter()
      .message(1, (rm) =>
        rm.message(2, (sm) => sm.message(2, (m) => m.bytesField(1, [0xc0, 0x80]))),
      )
      .finish();
    expect(refusal(() => decodeOtlpMetrics(w, "application/x-protobuf", limits))).toEqual([
      400,
      "resourceMetrics[0].scopeMetrics[0].metrics[0]: field 1 is not valid UTF-8",
    ]);
  });

  it("refuses attribute values nested more than 16 deep", () => {
    let inner = (v: ProtoWriter) => void v.string(1, "leaf");
    for (let i = 0; i < 17; i++) {
      const next = inner;
      inner = (v: ProtoWriter) => void v.message(5, (a) => a.message(1, next));
    }
    const w = new ProtoWriter()
      .message(1, (rm) =>
        rm.message(1, (res) => res.message(1, (kv) => kv.string(1, "deep").message(2, inner))),
      )
      .finish();
    const [status, message] = refusal(() => decodeOtlpMetrics(w, "application/x-protobuf", limits));
    expect(status).toBe(400);
    expect(message).toMatch(
      /^resourceMetrics\[0\]\.resource\.attributes\[0\]\.value(\.arrayValue\.values\[0\])+: attribute values nested more than 16 deep$/,
    );
  });
});

describe("OTLP refuses malformed JSON", () => {
  const dp = "resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0]";
  it.each<[string, Json, string]>([
    ["a top-level array", [], "body: expected an object, got an array"],
    [
      "resourceMetrics as an object",
      { resourceMetrics: {} },
      "resourceMetrics: expected an array, got an object",
    ],
    [
      "a time that is not a number",
      request([gauge("g", [point(1, {}, { timeUnixNano: "12x" })])]),
      `${dp}.timeUnixNano: expected an unsigned integer, got string "12x"`,
    ],
    [
      "a fractional time",
      request([gauge("g", [point(1, {}, { timeUnixNano: 1.5 })])]),
      `${dp}.timeUnixNano: expected an unsigned integer, got number 1.5`,
    ],
    [
      "a boolean value",
      request([gauge("g", [point(1, {}, { asDouble: true })])]),
      `${dp}.asDouble: expected a number, got boolean true`,
    ],
    [
      "a value string that is no number",
      request([gauge("g", [point(1, {}, { asDouble: "1,5" })])]),
      `${dp}.asDouble: expected a number, got string "1,5"`,
    ],
    [
      "attributes as a string",
      request([gauge("g", [point(1, {}, { attributes: "x" })])]),
      `${dp}.attributes: expected an array, got string "x"`,
    ],
    [
      "negative flags",
      request([gauge("g", [point(1, {}, { flags: -1 })])]),
      `${dp}.flags: -1 does not fit in uint32`,
    ],
    [
      "a count beyond uint64",
      request([
        {
          name: "s",
          summary: { dataPoints: [{ timeUnixNano: NS, count: "18446744073709551616" }] },
        },
      ]),
      "resourceMetrics[0].scopeMetrics[0].metrics[0].summary.dataPoints[0].count: 18446744073709551616 does not fit in uint64",
    ],
    [
      "asInt beyond int64",
      request([gauge("g", [point(1, {}, { asInt: "9223372036854775808" })])]),
      `${dp}.asInt: 9223372036854775808 does not fit in int64`,
    ],
    [
      "a metric name that is a number",
      request([{ name: 5 }]),
      "resourceMetrics[0].scopeMetrics[0].metrics[0].name: expected a string, got number 5",
    ],
    [
      "a lone surrogate",
      request([gauge("g", [point(1, { "\udc00": "x" })])]),
      `${dp}.attributes[0].key: string holds an unpaired surrogate (\\ud800–\\udfff)`,
    ],
    [
      "bytes that are not base64",
      request([
        gauge("g", [point(1, {}, { attributes: [{ key: "b", value: { bytesValue: "a" } }] })]),
      ]),
      `${dp}.attributes[0].value.bytesValue: is not base64`,
    ],
  ])("%s", (_, body, message) => {
    expect(refusal(() => decodeJson(body))).toEqual([400, message]);
  });

  it("refuses a body that is not JSON or not UTF-8", () => {
    const [status, message] = refusal(() =>
      decodeOtlpMetrics(
        new TextEncoder().encode('{"resourceMetrics": ['),
        "application/json",
        limits,
      ),
    );
    expect(status).toBe(400);
    expect(message).toMatch(/^body is not valid JSON: /);
    expect(
      refusal(() => decodeOtlpMetrics(Uint8Array.of(0x7b, 0xff, 0x7d), "application/json", limits)),
    ).toEqual([400, "body is not valid UTF-8"]);
  });

  it("refuses a content type it does not know with 415", () => {
    const body = new TextEncoder().encode("{}");
    expect(
      refusal(() => decodeOtlpMetrics(body, "text/plain" as "application/json", limits)),
    ).toEqual([415, 'content type "text/plain" is not application/x-protobuf or application/json']);
  });
});

describe("OTLP limits", () => {
  it("refuses a body over maxBodyBytes with 413", () => {
    const body = new TextEncoder().encode(JSON.stringify(request([gauge("g", [point(1)])])));
    expect(
      refusal(() => decodeOtlpMetrics(body, "application/json", { ...limits, maxBodyBytes: 10 })),
    ).toEqual([413, `body is ${body.length} bytes; the limit is 10`]);
  });

  it("refuses more data points, samples or series than allowed with 413", () => {
    const many = request([
      gauge(
        "g",
        Array.from({ length: 6 }, (_, i) => point(i, { i: String(i) })),
      ),
    ]);
    expect(decodeJson(many, { ...limits, maxSamples: 6, maxSeries: 6 }).series).toHaveLength(6);
    expect(refusal(() => decodeJson(many, { ...limits, maxSamples: 5 }))).toEqual([
      413,
      "more than 5 data points; the limit is 5 samples per request",
    ]);
    expect(refusal(() => decodeJson(many, { ...limits, maxSeries: 5 }))).toEqual([
      413,
      "more than 5 series; that is the limit per request",
    ]);
    // One histogram point is 3 + buckets samples.
    const hist = request([
      histogram("h", [
        {
          timeUnixNano: NS,
          count: 1,
          sum: 1,
          explicitBounds: [1, 2, 3],
          bucketCounts: [1, 0, 0, 0],
        },
      ]),
    ]);
    expect(refusal(() => decodeJson(hist, { ...limits, maxSamples: 5 }))).toEqual([
      413,
      "more than 5 samples; that is the limit per request",
    ]);
  });

  it("refuses label sets over the count and length limits with 400, naming the data point", () => {
    const dp = "resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0]";
    const wide = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, "v"]));
    expect(refusal(() => decodeJson(request([gauge("g", [point(1, wide)])])))).toEqual([
      400,
      `${dp}: 13 labels; the limit is 12`,
    ]);
    expect(
      refusal(() => decodeJson(request([gauge("g", [point(1, { v: "x".repeat(257) })])]))),
    ).toEqual([400, `${dp}: label "v" has a 257-byte value; the limit is 256`]);
    expect(
      refusal(() => decodeJson(request([gauge("g", [point(1, { ["k".repeat(65)]: "v" })])]))),
    ).toEqual([400, `${dp}: label name "${"k".repeat(64)}…" is 65 bytes; the limit is 64`]);
  });
});
