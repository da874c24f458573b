// Decodes a Prometheus remote-write 1.0 body (https://prometheus.io/docs/specs/remote_write_spec/):
// snappy block-compressed protobuf WriteRequest { repeated TimeSeries timeseries = 1; }.
// Everything the spec says a sender MUST do is checked, and one broken series refuses the
// whole body: the spec lets a receiver keep the good ones, but a 400 that stored half the
// request would leave the sender unable to tell what to resend.

import { ProtobufError, ProtoReader } from "./protobuf";
import {
  checkBodySize,
  checkLabelLimits,
  LABEL_NAME_RE,
  METRIC_NAME_RE,
  PushDecodeError,
  SampleBuffer,
  SeriesCollector,
  type DecodeLimits,
  type PushedSeries,
} from "./push";
import { snappyDecode, snappyDecodedLength, SnappyError } from "./snappy";

/**
 * How much larger than `maxBodyBytes` a body may decompress to. Prometheus 2.42's own
 * requests expand about 7 times (labels repeat in every series; measured in the
 * differential test), more for long, repetitive label sets; a body that declares more
 * is refused with 413 before anything is allocated.
 */
export const MAX_SNAPPY_EXPANSION = 16;

export function decodeRemoteWrite(body: Uint8Array, limits: DecodeLimits): PushedSeries[] {
  checkBodySize(body, limits);
  if (body.length === 0) {
    throw new PushDecodeError(
      400,
      "body is empty; remote write sends a snappy-compressed WriteRequest",
    );
  }
  let raw: Uint8Array;
  try {
    const declared = snappyDecodedLength(body);
    const cap = limits.maxBodyBytes * MAX_SNAPPY_EXPANSION;
    if (declared > cap) {
      throw new PushDecodeError(
        413,
        `body would decompress to ${declared} bytes; the limit is ${cap}`,
      );
    }
    raw = snappyDecode(body);
  } catch (e) {
    if (e instanceof SnappyError) {
      throw new PushDecodeError(400, `body is not snappy block-compressed: ${e.message}`);
    }
    throw e;
  }
  try {
    return decodeWriteRequest(raw, limits);
  } catch (e) {
    if (e instanceof ProtobufError) throw new PushDecodeError(400, e.message);
    throw e;
  }
}

function decodeWriteRequest(raw: Uint8Array, limits: DecodeLimits): PushedSeries[] {
  const r = ProtoReader.of(raw);
  const out = new SeriesCollector(limits);
  let i = 0;
  while (r.next()) {
    // Field 3 (metadata) and anything newer are skipped.
    if (r.field === 1) decodeTimeSeries(r.message("timeseries", i++), out, limits);
    else r.skip();
  }
  return out
    .entries()
    .map(({ labels, samples }) => ({ labels, t: samples.t, v: samples.values() }));
}

function decodeTimeSeries(r: ProtoReader, out: SeriesCollector, limits: DecodeLimits): void {
  const labels: [string, string][] = [];
  const samples = new SampleBuffer();
  while (r.next()) {
    switch (r.field) {
      case 1:
        labels.push(decodeLabel(r.message("labels", labels.length)));
        break;
      case 2:
        decodeSample(r.message("samples", samples.length), samples);
        break;
      case 4:
        // Only sent when a Prometheus is configured with send_native_histograms; refusing
        // says so in the sender's log, where dropping them would lose data silently.
        r.fail(
          "native histograms are not supported; send classic histograms (send_native_histograms: false)",
        );
        break;
      default:
        // Exemplars (3) are not stored.
        r.skip();
    }
  }
  // Paths are built only for an error message: most requests have none.
  const where = () => r.path();
  checkLabels(labels, where);
  checkLabelLimits(labels, where, limits);
  if (samples.length === 0) return;

  const series = out.series(labels);
  const t = samples.t;
  let prev = series.length > 0 ? series.t[series.length - 1]! : -Infinity;
  for (let k = 0; k < t.length; k++) {
    if (t[k]! <= prev) {
      const earlier = k === 0 ? " (sent earlier in this request for the same series)" : "";
      throw new PushDecodeError(
        400,
        `${where()}.samples[${k}]: timestamp ${t[k]} is not after the previous sample's ${prev}${earlier}; samples must be in timestamp order`,
      );
    }
    prev = t[k]!;
  }
  out.count(t.length);
  for (let k = 0; k < t.length; k++) series.push(t[k]!, samples.value(k));
}

function decodeLabel(r: ProtoReader): [string, string] {
  let name = "";
  let value = "";
  while (r.next()) {
    if (r.field === 1) name = r.string();
    else if (r.field === 2) value = r.string();
    else r.skip();
  }
  return [name, value];
}

function decodeSample(r: ProtoReader, out: SampleBuffer): void {
  let value = 0;
  let timestamp = 0;
  while (r.next()) {
    if (r.field === 1) value = r.double();
    else if (r.field === 2) timestamp = r.int64();
    else r.skip();
  }
  out.push(timestamp, value);
}

// The spec's rules for a label set: names valid, sorted and unique, values non-empty,
// a valid __name__ (the spec says SHOULD; the store cannot keep a series without one).
function checkLabels(labels: [string, string][], where: () => string): void {
  let metricName: string | undefined;
  for (let j = 0; j < labels.length; j++) {
    const [name, value] = labels[j]!;
    const at = () => `${where()}.labels[${j}]`;
    if (name === "") throw new PushDecodeError(400, `${at()}: label name is empty`);
    if (!LABEL_NAME_RE.test(name))
      throw new PushDecodeError(400, `${at()}: label name ${quote(name)} is not valid`);
    if (value === "") throw new PushDecodeError(400, `${at()}: label "${name}" has an empty value`);
    if (j > 0) {
      const before = labels[j - 1]![0];
      if (before === name)
        throw new PushDecodeError(400, `${at()}: label name "${name}" is repeated`);
      if (before > name) {
        throw new PushDecodeError(
          400,
          `${at()}: labels are not sorted by name ("${before}" comes before "${name}")`,
        );
      }
    }
    if (name === "__name__") metricName = value;
  }
  if (metricName === undefined) throw new PushDecodeError(400, `${where()}: no __name__ label`);
  if (!METRIC_NAME_RE.test(metricName)) {
    throw new PushDecodeError(400, `${where()}: metric name ${quote(metricName)} is not valid`);
  }
}

function quote(s: string): string {
  return JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s);
}
