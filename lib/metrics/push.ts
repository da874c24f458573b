// What the remote-write and OTLP decoders share: their output, their limits, their
// error, and the bookkeeping that merges a request's samples into series. A decoder
// either returns everything a body holds or throws: the route stores nothing from a
// body that fails, so nothing here may be half-applied.

export interface PushedSeries {
  /** `__name__` included, sorted by name, names unique. */
  labels: [string, string][];
  /** Milliseconds, ascending, no duplicates. */
  t: number[];
  /**
   * A Float64Array, not number[]: V8 keeps a plain array of numbers as raw doubles and
   * quiets a signalling NaN stored there, so the staleness marker 0x7ff0000000000002
   * would come out as 0x7ff8000000000002 and no longer be seen as stale.
   */
  v: Float64Array;
}

export interface DecodeLimits {
  /** The body as received (compressed, for remote write). */
  maxBodyBytes: number;
  maxSeries: number;
  maxSamples: number;
  /** In UTF-8 bytes. */
  maxLabelNameLength: number;
  maxLabelValueLength: number;
  /** Per series, `__name__` included. */
  maxLabels: number;
}

export class PushDecodeError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = "PushDecodeError";
  }
}

export const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function checkBodySize(body: Uint8Array, limits: DecodeLimits): void {
  if (body.length > limits.maxBodyBytes) {
    throw new PushDecodeError(
      413,
      `body is ${body.length} bytes; the limit is ${limits.maxBodyBytes}`,
    );
  }
}

export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(s.charCodeAt(i + 1))) {
      // A surrogate pair: two UTF-16 units, one code point, four UTF-8 bytes.
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * Throws 400 if a finished label set breaks a length or count limit. `where` names the
 * series in the message; it is called only then, so no path is built for good requests.
 */
export function checkLabelLimits(
  labels: [string, string][],
  where: () => string,
  limits: DecodeLimits,
): void {
  if (labels.length > limits.maxLabels) {
    throw new PushDecodeError(
      400,
      `${where()}: ${labels.length} labels; the limit is ${limits.maxLabels}`,
    );
  }
  for (const [name, value] of labels) {
    if (name.length > limits.maxLabelNameLength) {
      throw new PushDecodeError(
        400,
        `${where()}: label name "${name.slice(0, 64)}…" is ${name.length} bytes; the limit is ${limits.maxLabelNameLength}`,
      );
    }
    const n = utf8Length(value);
    if (n > limits.maxLabelValueLength) {
      throw new PushDecodeError(
        400,
        `${where()}: label "${name}" has a ${n}-byte value; the limit is ${limits.maxLabelValueLength}`,
      );
    }
  }
}

/** Samples of one series as they are decoded; values kept bit-exact (see PushedSeries.v). */
export class SampleBuffer {
  readonly t: number[] = [];
  private v = new Float64Array(4);

  get length(): number {
    return this.t.length;
  }

  value(i: number): number {
    return this.v[i]!;
  }

  push(t: number, v: number): void {
    const n = this.t.length;
    if (n === this.v.length) {
      const grown = new Float64Array(n * 2);
      grown.set(this.v);
      this.v = grown;
    }
    this.v[n] = v;
    this.t.push(t);
  }

  values(): Float64Array {
    return this.v.slice(0, this.t.length);
  }
}

/**
 * Gathers a request's samples by label set. Remote-write senders send one series
 * several times in one request (Prometheus's queue sends one entry per sample), and
 * OTLP spreads one series over several data points, so the store gets each once.
 */
export class SeriesCollector {
  private readonly bySet = new Map<string, { labels: [string, string][]; samples: SampleBuffer }>();
  private samples = 0;

  constructor(private readonly limits: DecodeLimits) {}

  /** The samples of the series `labels` (sorted by name, unique), made on first use. */
  series(labels: [string, string][]): SampleBuffer {
    let key = "";
    // Length-prefixed, so no label text can make two sets collide.
    for (const [name, value] of labels) key += `${name.length}:${name}${value.length}:${value}`;
    let s = this.bySet.get(key);
    if (!s) {
      if (this.bySet.size >= this.limits.maxSeries) {
        throw new PushDecodeError(
          413,
          `more than ${this.limits.maxSeries} series; that is the limit per request`,
        );
      }
      s = { labels, samples: new SampleBuffer() };
      this.bySet.set(key, s);
    }
    return s.samples;
  }

  /** Counts samples about to be added, against the request's limit. */
  count(n: number): void {
    this.samples += n;
    if (this.samples > this.limits.maxSamples) {
      throw new PushDecodeError(
        413,
        `more than ${this.limits.maxSamples} samples; that is the limit per request`,
      );
    }
  }

  /** Every series, in the order first seen. */
  entries(): { labels: [string, string][]; samples: SampleBuffer }[] {
    return [...this.bySet.values()];
  }
}
