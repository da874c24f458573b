import { compress } from "snappyjs";
import { describe, expect, it } from "vitest";
import { ProtoWriter, writeRequest, type TestSeries } from "@/test/protobuf-writer";
import { PushDecodeError, type DecodeLimits } from "./push";
import { decodeRemoteWrite, MAX_SNAPPY_EXPANSION } from "./remote-write";
import { isStaleNaN, STALE_NAN } from "./stale";

const limits: DecodeLimits = {
  maxBodyBytes: 1 << 20,
  maxSeries: 100,
  maxSamples: 1000,
  maxLabelNameLength: 64,
  maxLabelValueLength: 256,
  maxLabels: 10,
};

const T = 1_700_000_000_000;

function body(series: TestSeries[]): Uint8Array {
  return compress(writeRequest(series));
}

/** A body of one series named "up", its fields after the name written by `build`. */
function upSeries(build: (ts: ProtoWriter) => void): Uint8Array {
  const w = new ProtoWriter().message(1, (ts) => {
    ts.message(1, (l) => l.string(1, "__name__").string(2, "up"));
    build(ts);
  });
  return compress(w.finish());
}

function refusal(b: Uint8Array, l: DecodeLimits = limits): [number, string] {
  try {
    decodeRemoteWrite(b, l);
  } catch (e) {
    expect(e).toBeInstanceOf(PushDecodeError);
    return [(e as PushDecodeError).status, (e as Error).message];
  }
  throw new Error("decoded without error");
}

const up: [string, string][] = [
  ["__name__", "up"],
  ["instance", "a:9100"],
  ["job", "node"],
];

describe("decodeRemoteWrite", () => {
  it("decodes series, labels and samples exactly", () => {
    const out = decodeRemoteWrite(
      body([
        {
          labels: up,
          samples: [
            [T, 1],
            [T + 15_000, 0],
          ],
        },
        {
          labels: [
            ["__name__", "temp_celsius"],
            ["room", "kök ☕"],
          ],
          samples: [
            [-86_400_000, -12.5],
            [0, Infinity],
            [1, -Infinity],
            [T, 0.1],
          ],
        },
      ]),
      limits,
    );
    expect(out).toEqual([
      { labels: up, t: [T, T + 15_000], v: Float64Array.of(1, 0) },
      {
        labels: [
          ["__name__", "temp_celsius"],
          ["room", "kök ☕"],
        ],
        t: [-86_400_000, 0, 1, T],
        v: Float64Array.of(-12.5, Infinity, -Infinity, 0.1),
      },
    ]);
  });

  it("keeps the staleness marker's exact bits, apart from an ordinary NaN", () => {
    // Written by hand: a [t, v] literal would itself quiet the marker.
    const w = upSeries((ts) => {
      ts.message(2, (x) => x.double(1, NaN).uint(2, T));
      ts.message(2, (x) => x.double(1, STALE_NAN).uint(2, T + 1));
    });
    const [s] = decodeRemoteWrite(w, limits);
    expect(Number.isNaN(s!.v[0])).toBe(true);
    expect(isStaleNaN(s!.v[0]!)).toBe(false);
    expect(isStaleNaN(s!.v[1]!)).toBe(true);
  });

  it("merges a series sent as several entries, as Prometheus's queue sends one per sample", () => {
    const other: [string, string][] = [
      ["__name__", "up"],
      ["job", "other"],
    ];
    const out = decodeRemoteWrite(
      body([
        { labels: up, samples: [[T, 1]] },
        { labels: other, samples: [[T, 0]] },
        { labels: up, samples: [[T + 1000, 1]] },
      ]),
      limits,
    );
    expect(out).toEqual([
      { labels: up, t: [T, T + 1000], v: Float64Array.of(1, 1) },
      { labels: other, t: [T], v: Float64Array.of(0) },
    ]);
  });

  it("accepts an empty WriteRequest as no series, but not an empty body", () => {
    expect(decodeRemoteWrite(compress(new Uint8Array(0)), limits)).toEqual([]);
    expect(refusal(new Uint8Array(0))).toEqual([
      400,
      "body is empty; remote write sends a snappy-compressed WriteRequest",
    ]);
  });

  it("skips metadata, exemplars, series without samples and unknown fields", () => {
    const w = new ProtoWriter()
      .message(3, (m) => m.uint(1, 1).string(2, "up").string(4, "help"))
      .message(1, (ts) => {
        ts.message(1, (l) => l.string(1, "__name__").string(2, "up").uint(9, 5));
        ts.message(3, (e) =>
          e.message(1, (l) => l.string(1, "trace_id").string(2, "abc")).double(2, 1),
        );
        ts.message(2, (s) => s.double(1, 3).uint(2, T).fixed64(7, 1));
        ts.string(15, "future field");
      })
      .message(1, (ts) => ts.message(1, (l) => l.string(1, "__name__").string(2, "only_exemplars")))
      .uint(99, 1)
      .finish();
    expect(decodeRemoteWrite(compress(w), limits)).toEqual([
      { labels: [["__name__", "up"]], t: [T], v: Float64Array.of(3) },
    ]);
  });

  it("defaults a sample's missing value and timestamp to zero, as proto3 does", () => {
    const w = upSeries((ts) => {
      ts.message(2, () => {});
    });
    expect(decodeRemoteWrite(w, limits)).toEqual([
      { labels: [["__name__", "up"]], t: [0], v: Float64Array.of(0) },
    ]);
  });
});

describe("decodeRemoteWrite refuses what the spec forbids", () => {
  const at3 = (labels: [string, string][]) =>
    body([
      { labels: up, samples: [[T, 1]] },
      { labels: [["__name__", "a"]], samples: [[T, 1]] },
      { labels: [["__name__", "b"]], samples: [[T, 1]] },
      { labels, samples: [[T, 1]] },
    ]);

  it.each<[string, [string, string][], string]>([
    [
      "an invalid label name",
      [
        ["__name__", "x"],
        ["1x", "v"],
      ],
      'timeseries[3].labels[1]: label name "1x" is not valid',
    ],
    [
      "a label name with a dot",
      [
        ["__name__", "x"],
        ["a.b", "v"],
      ],
      'timeseries[3].labels[1]: label name "a.b" is not valid',
    ],
    [
      "an empty label name",
      [
        ["", "v"],
        ["__name__", "x"],
      ],
      "timeseries[3].labels[0]: label name is empty",
    ],
    [
      "an empty label value",
      [
        ["__name__", "x"],
        ["job", ""],
      ],
      'timeseries[3].labels[1]: label "job" has an empty value',
    ],
    [
      "unsorted labels",
      [
        ["__name__", "x"],
        ["job", "j"],
        ["instance", "i"],
      ],
      'timeseries[3].labels[2]: labels are not sorted by name ("job" comes before "instance")',
    ],
    [
      "a repeated label",
      [
        ["__name__", "x"],
        ["job", "j"],
        ["job", "k"],
      ],
      'timeseries[3].labels[2]: label name "job" is repeated',
    ],
    ["no __name__", [["job", "j"]], "timeseries[3]: no __name__ label"],
    [
      "an invalid metric name",
      [["__name__", "http-requests"]],
      'timeseries[3]: metric name "http-requests" is not valid',
    ],
  ])("%s (400)", (_, labels, message) => {
    expect(refusal(at3(labels))).toEqual([400, message]);
  });

  it("refuses a label value that is not UTF-8", () => {
    const w = upSeries((ts) => {
      ts.message(1, (l) => l.string(1, "job").bytesField(2, [0x6e, 0xc3, 0x28]));
      ts.message(2, (s) => s.double(1, 1).uint(2, T));
    });
    expect(refusal(w)).toEqual([400, "timeseries[0].labels[1]: field 2 is not valid UTF-8"]);
  });

  it.each<[string, TestSeries["samples"][], string]>([
    [
      "going back within an entry",
      [
        [
          [T, 1],
          [T - 1, 2],
        ],
      ],
      "timeseries[0].samples[1]: timestamp 1699999999999 is not after the previous sample's 1700000000000; samples must be in timestamp order",
    ],
    [
      "repeating a timestamp",
      [
        [
          [T, 1],
          [T, 2],
        ],
      ],
      "timeseries[0].samples[1]: timestamp 1700000000000 is not after the previous sample's 1700000000000; samples must be in timestamp order",
    ],
    [
      "going back across entries of one series",
      [[[T, 1]], [[T - 1000, 2]]],
      "timeseries[1].samples[0]: timestamp 1699999999000 is not after the previous sample's 1700000000000 (sent earlier in this request for the same series); samples must be in timestamp order",
    ],
  ])("refuses samples out of timestamp order: %s", (_, entries, message) => {
    expect(refusal(body(entries.map((samples) => ({ labels: up, samples }))))).toEqual([
      400,
      message,
    ]);
  });

  it("refuses native histograms rather than dropping them", () => {
    const w = new ProtoWriter()
      .message(1, (ts) => {
        ts.message(1, (l) => l.string(1, "__name__").string(2, "latency"));
        ts.message(4, (h) => h.uint(1, 3).double(3, 1.5).uint(15, T));
      })
      .finish();
    expect(refusal(compress(w))).toEqual([
      400,
      "timeseries[0]: native histograms are not supported; send classic histograms (send_native_histograms: false)",
    ]);
  });

  it("refuses timestamps beyond ±2^53 ms", () => {
    const w = upSeries((ts) => {
      ts.message(2, (s) => s.double(1, 1).uint(2, BigInt(2) ** BigInt(62)));
    });
    expect(refusal(w)).toEqual([
      400,
      "timeseries[0].samples[0]: field 2: 4611686018427387904 is out of range",
    ]);
  });
});

describe("decodeRemoteWrite refuses malformed bodies", () => {
  it("refuses a body that is not snappy, or is framed snappy", () => {
    // An uncompressed WriteRequest: its first byte, 0x0a, reads as a length of 10 and
    // the next (the message's length) as a copy reaching before the start.
    expect(refusal(writeRequest([{ labels: up, samples: [[T, 1]] }]))).toEqual([
      400,
      "body is not snappy block-compressed: copy at byte 1 reaches before the start",
    ]);
    // The framed format starts with a stream identifier chunk: ff 06 00 00 "sNaPpY".
    const framed = Uint8Array.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]);
    expect(refusal(framed)).toEqual([
      400,
      "body is not snappy block-compressed: copy at byte 4 reaches before the start",
    ]);
    expect(refusal(new TextEncoder().encode("hello world"))).toEqual([
      400,
      "body is not snappy block-compressed: copy at byte 1 reaches before the start",
    ]);
  });

  it("refuses truncated snappy", () => {
    const b = body([{ labels: up, samples: [[T, 1]] }]);
    expect(refusal(b.subarray(0, b.length - 3))[0]).toBe(400);
    expect(refusal(b.subarray(0, b.length - 3))[1]).toMatch(
      /^body is not snappy block-compressed: /,
    );
  });

  it("refuses a truncated WriteRequest, naming where it broke", () => {
    const raw = writeRequest([
      { labels: up, samples: [[T, 1]] },
      { labels: up, samples: [[T + 1, 1]] },
    ]);
    expect(refusal(compress(raw.subarray(0, raw.length - 4)))).toEqual([
      400,
      "message: field 1 claims 67 bytes, 63 remain",
    ]);
    // Cut inside a sample: the outer lengths still hold, the double does not.
    const cut = upSeries((ts) => {
      ts.message(2, (s) => s.raw([0x09, 1, 2, 3]));
    });
    expect(refusal(cut)).toEqual([
      400,
      "timeseries[0].samples[0]: field 1 is truncated: needs 8 bytes, 3 remain",
    ]);
  });

  it("refuses a field of the wrong wire type", () => {
    const w = new ProtoWriter().uint(1, 5).finish();
    expect(refusal(compress(w))).toEqual([
      400,
      "message: timeseries[0] (field 1) has wire type varint, expected a message",
    ]);
    const v = upSeries((ts) => {
      ts.message(2, (s) => s.uint(1, 5));
    });
    expect(refusal(v)).toEqual([
      400,
      "timeseries[0].samples[0]: field 1 has wire type varint, expected 64-bit",
    ]);
  });
});

describe("decodeRemoteWrite enforces limits", () => {
  it("refuses a body over maxBodyBytes with 413", () => {
    const b = body([{ labels: up, samples: [[T, 1]] }]);
    expect(refusal(b, { ...limits, maxBodyBytes: b.length - 1 })).toEqual([
      413,
      `body is ${b.length} bytes; the limit is ${b.length - 1}`,
    ]);
  });

  it("refuses a snappy bomb with 413 from its preamble alone", () => {
    // Declares 4 GiB - 1; the rest would be copies. Nothing is allocated.
    const bomb = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x00, 0xfe, 0x01, 0x00]);
    expect(refusal(bomb)).toEqual([
      413,
      `body would decompress to 4294967295 bytes; the limit is ${(1 << 20) * MAX_SNAPPY_EXPANSION}`,
    ]);
    // A real one: 2 MiB of zeros compresses to about 100 KB.
    const real = compress(new Uint8Array(2 << 20));
    expect(real.length).toBeLessThan(200_000);
    expect(refusal(real, { ...limits, maxBodyBytes: 100_000 })).toEqual([
      413,
      `body would decompress to 2097152 bytes; the limit is ${100_000 * MAX_SNAPPY_EXPANSION}`,
    ]);
  });

  it("refuses more series or samples than allowed with 413", () => {
    const series = Array.from({ length: 5 }, (_, i): TestSeries => ({
      labels: [["__name__", `m${i}`]],
      samples: [
        [T, i],
        [T + 1, i],
      ],
    }));
    expect(
      decodeRemoteWrite(body(series), { ...limits, maxSeries: 5, maxSamples: 10 }),
    ).toHaveLength(5);
    expect(refusal(body(series), { ...limits, maxSeries: 4 })).toEqual([
      413,
      "more than 4 series; that is the limit per request",
    ]);
    expect(refusal(body(series), { ...limits, maxSamples: 9 })).toEqual([
      413,
      "more than 9 samples; that is the limit per request",
    ]);
  });

  it("refuses label sets over the count and length limits with 400", () => {
    const many = Array.from({ length: 10 }, (_, i): [string, string] => [`l${i}`, "v"]);
    expect(refusal(body([{ labels: [["__name__", "x"], ...many], samples: [[T, 1]] }]))).toEqual([
      400,
      "timeseries[0]: 11 labels; the limit is 10",
    ]);
    const long = "n".repeat(65);
    expect(
      refusal(
        body([
          {
            labels: [
              ["__name__", "x"],
              [long, "v"],
            ],
            samples: [[T, 1]],
          },
        ]),
      ),
    ).toEqual([400, `timeseries[0]: label name "${"n".repeat(64)}…" is 65 bytes; the limit is 64`]);
    // 128 two-byte characters: 256 bytes fit, one more does not.
    const ok = [
      ["__name__", "x"],
      ["v", "é".repeat(128)],
    ] as [string, string][];
    expect(decodeRemoteWrite(body([{ labels: ok, samples: [[T, 1]] }]), limits)).toHaveLength(1);
    const over = [
      ["__name__", "x"],
      ["v", "é".repeat(128) + "e"],
    ] as [string, string][];
    expect(refusal(body([{ labels: over, samples: [[T, 1]] }]))).toEqual([
      400,
      'timeseries[0]: label "v" has a 257-byte value; the limit is 256',
    ]);
  });
});
