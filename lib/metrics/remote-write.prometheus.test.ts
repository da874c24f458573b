// Differential tests against Prometheus 2.42 (Debian's, the reference implementation):
// the bodies a real Prometheus sends decode to what it stored, and the bodies we build
// are stored by its receiver exactly as we decode them.

import http from "node:http";
import { compress } from "snappyjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProtoWriter, writeRequest, type TestSeries } from "@/test/protobuf-writer";
import { startPrometheus, type PrometheusServer, type RawSeries } from "@/test/prometheus-server";
import { until } from "@/test/until";
import { PushDecodeError, type DecodeLimits, type PushedSeries } from "./push";
import { decodeRemoteWrite } from "./remote-write";
import { isStaleNaN, STALE_NAN } from "./stale";

const limits: DecodeLimits = {
  maxBodyBytes: 8 << 20,
  maxSeries: 100_000,
  maxSamples: 1_000_000,
  maxLabelNameLength: 1024,
  maxLabelValueLength: 65_536,
  maxLabels: 100,
};

let prometheus: PrometheusServer;
let capture: http.Server;
const captured: Uint8Array[] = [];

beforeAll(async () => {
  capture = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      captured.push(new Uint8Array(Buffer.concat(chunks)));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => capture.listen(0, "127.0.0.1", resolve));
  const capturePort = (capture.address() as { port: number }).port;
  // Prometheus scrapes itself every second and forwards everything it stores to the
  // capture server, including the samples the tests push to its own receiver.
  prometheus = await startPrometheus({
    config: `
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: self
    static_configs:
      - targets: ["127.0.0.1:{{PORT}}"]
remote_write:
  - url: http://127.0.0.1:${capturePort}/receive
    queue_config:
      batch_send_deadline: 1s
    metadata_config:
      send: false
`,
    flags: ["--web.enable-remote-write-receiver"],
  });
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await new Promise<void>((resolve) => capture?.close(() => resolve()));
});

function key(labels: Record<string, string> | [string, string][]): string {
  const entries = Array.isArray(labels) ? labels : Object.entries(labels);
  return JSON.stringify([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

async function post(body: Uint8Array): Promise<number> {
  const res = await fetch(`${prometheus.url}/api/v1/write`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-protobuf",
      "Content-Encoding": "snappy",
      "X-Prometheus-Remote-Write-Version": "0.1.0",
    },
    body: Uint8Array.from(body),
  });
  await res.text();
  return res.status;
}

function status(body: Uint8Array): number {
  try {
    decodeRemoteWrite(body, limits);
    return 204;
  } catch (e) {
    if (e instanceof PushDecodeError) return e.status;
    throw e;
  }
}

describe("remote write against Prometheus 2.42", () => {
  it("decodes the bodies Prometheus sends to exactly the samples it stored", async () => {
    const decoded = () => captured.flatMap((b) => decodeRemoteWrite(b, limits));
    const hasUp = () =>
      decoded().some((s) => s.labels.some(([n, v]) => n === "__name__" && v === "up"));
    await until(
      () => captured.length >= 2 && hasUp(),
      "Prometheus to send two remote-write bodies",
      45_000,
    );

    const sent = decoded();
    const stored = new Map<string, RawSeries>();
    for (const s of await prometheus.rawSamples('{job="self"}', "10m"))
      stored.set(key(s.labels), s);

    let compared = 0;
    for (const s of sent) {
      expect(s.labels.map(([n]) => n)).toEqual(s.labels.map(([n]) => n).sort());
      const ref = stored.get(key(s.labels));
      expect(ref, `Prometheus stored ${key(s.labels)}`).toBeDefined();
      const byTime = new Map(ref!.samples);
      for (let i = 0; i < s.t.length; i++) {
        if (isStaleNaN(s.v[i]!)) continue;
        expect([s.t[i], byTime.get(s.t[i]!)]).toEqual([s.t[i], s.v[i]]);
        compared++;
      }
    }
    // Prometheus exposes a few hundred series about itself: this compared them all.
    expect(compared).toBeGreaterThan(200);
    const up = sent.find(
      (s) =>
        key(s.labels) ===
        key({ __name__: "up", instance: `127.0.0.1:${prometheus.port}`, job: "self" }),
    );
    expect(up?.v[0]).toBe(1);
  }, 60_000);

  it("stores what we accept as we decode it, staleness marker included", async () => {
    const now = Date.now() - 60_000;
    const path: [string, string] = ["path", "/å/€/😀"];
    const series: TestSeries[] = [
      {
        labels: [["__name__", "opsdeck_rw_a"], ["job", "diff"], path],
        samples: [
          [now, 0.1],
          [now + 1000, -1e-300],
          [now + 2000, 1.7976931348623157e308],
          [now + 3000, Infinity],
        ],
      },
      {
        labels: [
          ["__name__", "opsdeck_rw_b"],
          ["job", "diff"],
        ],
        samples: [
          [now, -Infinity],
          [now + 500, 42],
        ],
      },
      {
        labels: [["__name__", "opsdeck_rw_a"], ["job", "diff"], path],
        samples: [[now + 4000, 5e-324]],
      },
    ];
    // The staleness marker by hand (a [t, v] literal would quiet it); protobuf appends a
    // repeated field's entries across concatenated messages.
    const stale = new ProtoWriter()
      .message(1, (ts) => {
        ts.message(1, (l) => l.string(1, "__name__").string(2, "opsdeck_rw_b"));
        ts.message(1, (l) => l.string(1, "job").string(2, "diff"));
        ts.message(2, (x) => x.double(1, STALE_NAN).uint(2, now + 1000));
      })
      .finish();
    const body = compress(Uint8Array.from([...writeRequest(series), ...stale]));
    expect(await post(body)).toBe(204);
    const ours = decodeRemoteWrite(body, limits);
    expect(isStaleNaN(ours[1]!.v[2]!)).toBe(true);
    const theirs = await prometheus.rawSamples('{job="diff"}', "10m");
    expect(normalise(theirs)).toEqual(normalise(ours));
    // Prometheus took the marker as one: two seconds on, within the 5-minute lookback,
    // opsdeck_rw_b has ended while opsdeck_rw_a has not.
    const after = await prometheus.instant('{job="diff"}', now + 6000);
    expect(after.map((s) => s.labels.__name__)).toEqual(["opsdeck_rw_a"]);
  });

  it("refuses the corrupt bodies that Prometheus refuses", async () => {
    const one = writeRequest([{ labels: [["__name__", "x"]], samples: [[Date.now(), 1]] }]);
    const good = compress(one);
    const cases: [string, Uint8Array][] = [
      ["empty body", new Uint8Array(0)],
      ["not snappy", new TextEncoder().encode("hello world")],
      ["uncompressed protobuf", one],
      ["truncated snappy", good.subarray(0, good.length - 2)],
      ["truncated protobuf", compress(one.subarray(0, one.length - 3))],
      ["bad wire type", compress(new ProtoWriter().uint(1, 5).finish())],
      ["wire type 7", compress(Uint8Array.of(0x0f))],
    ];
    const got = await Promise.all(cases.map(async ([name, b]) => [name, await post(b), status(b)]));
    expect(got).toEqual(cases.map(([name]) => [name, 400, 400]));
    const empty = compress(new Uint8Array(0));
    expect([await post(empty), status(empty)]).toEqual([204, 204]);
  });

  // Prometheus 2.42's receiver checks none of the spec's MUSTs: it stores unsorted or
  // unnamed series, drops out-of-order samples silently, and answers 500 (which senders
  // retry forever) for a repeated label name. We refuse them all with 400. This pins
  // the difference so a change on either side is seen.
  it("refuses with 400 the spec violations Prometheus 2.42 accepts", async () => {
    const t = Date.now() - 30_000;
    const one = (labels: [string, string][], samples: [number, number][] = [[t, 1]]) =>
      compress(writeRequest([{ labels, samples }]));
    const badUtf8 = new ProtoWriter()
      .message(1, (ts) => {
        ts.message(1, (l) => l.string(1, "__name__").string(2, "e9"));
        ts.message(1, (l) => l.string(1, "a").bytesField(2, [0xff]));
        ts.message(2, (s) => s.double(1, 1).uint(2, t));
      })
      .finish();
    const cases: [string, Uint8Array, number][] = [
      [
        "unsorted labels",
        one([
          ["__name__", "e1"],
          ["z", "1"],
          ["a", "2"],
        ]),
        204,
      ],
      [
        "repeated label",
        one([
          ["__name__", "e2"],
          ["a", "1"],
          ["a", "2"],
        ]),
        500,
      ],
      ["no __name__", one([["job", "e3"]]), 204],
      [
        "empty label value",
        one([
          ["__name__", "e4"],
          ["a", ""],
        ]),
        204,
      ],
      [
        "invalid label name",
        one([
          ["__name__", "e5"],
          ["1x", "v"],
        ]),
        204,
      ],
      ["invalid metric name", one([["__name__", "e-6"]]), 204],
      [
        "samples out of order",
        one(
          [["__name__", "e7"]],
          [
            [t, 1],
            [t - 1000, 2],
          ],
        ),
        204,
      ],
      [
        "repeated timestamp",
        one(
          [["__name__", "e8"]],
          [
            [t, 1],
            [t, 2],
          ],
        ),
        204,
      ],
      ["invalid UTF-8", compress(badUtf8), 204],
    ];
    const got = [];
    for (const [name, b] of cases) got.push([name, await post(b), status(b)]);
    expect(got).toEqual(cases.map(([name, , theirs]) => [name, theirs, 400]));
  });
});

function normalise(series: (RawSeries | PushedSeries)[]): string[] {
  return series
    .map((s) => {
      // Staleness markers are dropped before the values go into [t, v] pairs: an array
      // literal would quiet the marker's NaN and isStaleNaN would no longer see it.
      const samples =
        "samples" in s
          ? s.samples
          : s.t
              .map((t, i): [number, number, boolean] => [t, s.v[i]!, isStaleNaN(s.v[i]!)])
              .filter(([, , stale]) => !stale);
      return `${key(s.labels)} ${JSON.stringify(samples.map(([t, v]) => [t, String(v)]))}`;
    })
    .sort();
}
