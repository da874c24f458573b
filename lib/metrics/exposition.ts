// Parses a scrape body in the Prometheus text format (0.0.4) or OpenMetrics 1.0 the way
// Prometheus 2.42's scraper does (model/textparse/promparse.go, openmetricsparse.go and
// the checks in scrape/scrape.go): a body it rejects we reject, a body it ingests we
// ingest, sample for sample. Where we deviate, the test named after the behaviour says so.
//
// One pass over the string with charCodeAt, no regular expressions: a scrape is up to
// ~10 MB and 100,000 samples, parsed every 15 s for every target.

export type ExpositionFormat = "prometheus" | "openmetrics";

export type MetricType =
  | "counter"
  | "gauge"
  | "histogram"
  | "summary"
  | "untyped"
  | "unknown"
  | "gaugehistogram"
  | "stateset"
  | "info";

export interface ParsedSample {
  /** The full sample name, e.g. http_requests_total, x_bucket, x_created. */
  name: string;
  /** In the order written, without `__name__`; empty values kept (Prometheus drops them on ingest). */
  labels: [string, string][];
  value: number;
  /** Milliseconds; OpenMetrics' seconds are converted (truncated, as Prometheus does). */
  timestampMs: number | undefined;
  /**
   * The declared family (TYPE/HELP/UNIT) named like the sample, or the one the sample's
   * suffix belongs to by the family's type (counter: _total, _created; histogram: _bucket,
   * _sum, _count, _created; summary: _sum, _count, _created; gaugehistogram: _bucket,
   * _gcount, _gsum; info: _info); else the sample's own name, as an untyped family.
   */
  family: string;
}

export interface MetricFamilyMeta {
  name: string;
  type: MetricType;
  help?: string;
  unit?: string;
}

export interface ParseResult {
  format: ExpositionFormat;
  samples: ParsedSample[];
  /** Every family declared by TYPE/HELP/UNIT, then every sample name that belongs to none. */
  families: Map<string, MetricFamilyMeta>;
}

/**
 * Limits on what one scrape may hold. They count what the body exposes: the labels a
 * scraper adds (job, instance) and `__name__` are not counted, unlike Prometheus's
 * label_limit, which counts the final label set. Lengths are UTF-8 bytes, as in Prometheus.
 */
export interface ExpositionLimits {
  maxSamples?: number;
  maxLabelNameLength?: number;
  maxLabelValueLength?: number;
  maxLabels?: number;
}

export class ExpositionError extends Error {
  /** 1-based line of the body where the problem was found. */
  readonly line: number;
  constructor(line: number, message: string) {
    super(message);
    this.name = "ExpositionError";
    this.line = line;
  }
}

export type ExpositionLimitKind = "samples" | "labelNameLength" | "labelValueLength" | "labels";

export class ExpositionLimitError extends ExpositionError {
  readonly limit: ExpositionLimitKind;
  constructor(line: number, limit: ExpositionLimitKind, message: string) {
    super(line, message);
    this.name = "ExpositionLimitError";
    this.limit = limit;
  }
}

/** The parser Prometheus picks for a response's Content-Type (textparse.New). */
export function formatFromContentType(contentType: string | null | undefined): ExpositionFormat {
  if (!contentType) return "prometheus";
  const semi = contentType.indexOf(";");
  const mediaType = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return mediaType === "application/openmetrics-text" ? "openmetrics" : "prometheus";
}

/**
 * Parses a whole scrape body, or throws an ExpositionError (an ExpositionLimitError for a
 * limit) for the first line Prometheus would refuse. Decode the body with
 * `new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })`: Prometheus refuses invalid
 * UTF-8, which a string can no longer show, and a byte order mark, which a decoder drops
 * unless told not to. The strings returned may be slices of `body` and keep it in memory.
 */
export function parseExposition(
  body: string,
  format: ExpositionFormat,
  limits: ExpositionLimits = {},
): ParseResult {
  const p = new Parser(body, format, limits);
  if (format === "openmetrics") p.parseOpenMetrics();
  else p.parsePrometheus();
  return p.result();
}

const TAB = 9;
const NL = 10;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
const HASH = 35;
const COMMA = 44;
const EQUALS = 61;
const BACKSLASH = 92;
const LBRACE = 123;
const RBRACE = 125;
const BOM = 0xfeff;

// Character classes of ASCII codes, as bits, so a name scan costs one load a character.
const METRIC_START = 1; // [a-zA-Z_:]
const METRIC_CONT = 2; // [a-zA-Z0-9_:]
const LABEL_START = 4; // [a-zA-Z_]
const LABEL_CONT = 8; // [a-zA-Z0-9_]
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  const digit = c >= 48 && c <= 57;
  CLASS[c] =
    (letter || c === 58 ? METRIC_START | METRIC_CONT : 0) |
    (digit ? METRIC_CONT | LABEL_CONT : 0) |
    (letter ? LABEL_START | LABEL_CONT : 0);
}

function is(c: number, cls: number): boolean {
  return c < 128 && (CLASS[c]! & cls) !== 0;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const PROMETHEUS_TYPES: ReadonlySet<string> = new Set([
  "counter",
  "gauge",
  "histogram",
  "summary",
  "untyped",
]);
const OPENMETRICS_TYPES: ReadonlySet<string> = new Set([
  "counter",
  "gauge",
  "histogram",
  "gaugehistogram",
  "summary",
  "info",
  "stateset",
  "unknown",
]);

// Which sample-name suffixes a declared family of each type owns.
const FAMILY_SUFFIXES: readonly (readonly [string, readonly MetricType[]])[] = [
  ["_total", ["counter"]],
  ["_created", ["counter", "histogram", "summary"]],
  ["_bucket", ["histogram", "gaugehistogram"]],
  ["_sum", ["histogram", "summary"]],
  ["_count", ["histogram", "summary"]],
  ["_gcount", ["gaugehistogram"]],
  ["_gsum", ["gaugehistogram"]],
  ["_info", ["info"]],
];

// openmetricsparse.go accepts an exemplar only after a sample with one of these suffixes.
const EXEMPLAR_SUFFIXES = ["_total", "_bucket"];

/** A token for an error message: quoted, escaped, and cut short if long. */
function show(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function utf8Length(s: string): number {
  let bytes = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A surrogate pair is two units and four bytes: each unit counts two.
    if (c >= 0x80) bytes += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return bytes;
}

// The label-value escapes Prometheus undoes (its lvalReplacer); `\t` and other unknown
// escapes stay as the two characters written. HELP in the text format knows no `\"`.
function unescape(raw: string, quoteEscape: boolean): string {
  let out = "";
  let from = 0;
  let i = raw.indexOf("\\");
  while (i >= 0 && i + 1 < raw.length) {
    const next = raw.charCodeAt(i + 1);
    const replacement =
      next === BACKSLASH ? "\\" : next === 110 ? "\n" : next === QUOTE && quoteEscape ? '"' : "";
    if (replacement) {
      out += raw.slice(from, i) + replacement;
      from = i + 2;
      i = raw.indexOf("\\", from);
    } else {
      i = raw.indexOf("\\", i + 1);
    }
  }
  return out + raw.slice(from);
}

const INT64_MAX = "9223372036854775807";

// Go's strconv.ParseFloat as promparse.go's parseFloat calls it: decimal forms, inf,
// infinity and nan in any case, never `p`, `P` or `_` (so no hex floats: Go needs a `p`
// exponent for those). A finite literal that overflows is an error (Go's ErrRange).
function parseGoFloat(s: string, start: number, end: number): number | undefined {
  let v = 0;
  let i = start;
  for (; i < end; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  // Fifteen digits are always exact in a double.
  if (i === end && end > start && end - start <= 15) return v;

  const at = (k: number) => (k < end ? s.charCodeAt(k) : -1);
  i = start;
  const signed = at(i) === 43 || at(i) === 45;
  if (signed) i++;
  let digits = 0;
  for (; at(i) >= 48 && at(i) <= 57; i++) digits++;
  if (at(i) === 46) for (i++; at(i) >= 48 && at(i) <= 57; i++) digits++;
  if (digits > 0 && (at(i) === 101 || at(i) === 69)) {
    i++;
    if (at(i) === 43 || at(i) === 45) i++;
    const expStart = i;
    while (at(i) >= 48 && at(i) <= 57) i++;
    if (i === expStart) return undefined;
  }
  if (digits > 0 && i === end) {
    const f = Number(s.slice(start, end));
    return f === Infinity || f === -Infinity ? undefined : f;
  }

  const word = s.slice(signed ? start + 1 : start, end).toLowerCase();
  if (word === "inf" || word === "infinity") return at(start) === 45 ? -Infinity : Infinity;
  if (word === "nan" && !signed) return NaN;
  return undefined;
}

function isFiniteTimestamp(ts: number | undefined): ts is number {
  return ts !== undefined && Number.isFinite(ts);
}

class Parser {
  private readonly s: string;
  private readonly n: number;
  private readonly om: boolean;
  private readonly limits: ExpositionLimits;
  private readonly checkLengths: boolean;
  private i = 0;
  private line = 1;
  private readonly samples: ParsedSample[] = [];
  private readonly declared = new Map<string, MetricFamilyMeta>();
  private lastFamily: MetricFamilyMeta | undefined;
  // Sample name → family, for every distinct sample name.
  private readonly familyOf = new Map<string, string>();
  private prevName = "";
  private prevFamily = "";
  // The previous sample's labels: their names usually repeat, in the same places.
  private prevLabels: [string, string][] = [];
  // Labels are collected here and copied out at their exact length (a growing array
  // would reserve 17 slots for the usual two or three).
  private readonly scratch: [string, string][] = [];
  // The sample being parsed (and, until the next one starts, the previous one).
  private metric = "";
  // Line where a label value of the current sample ran over a line break (text format).
  private spanningValueLine = 0;
  // Where the token omToken or metadataFamily found ends.
  private tokenEnd = 0;

  constructor(body: string, format: ExpositionFormat, limits: ExpositionLimits) {
    this.s = body;
    this.n = body.length;
    this.om = format === "openmetrics";
    this.limits = limits;
    this.checkLengths =
      limits.maxLabelNameLength !== undefined || limits.maxLabelValueLength !== undefined;
  }

  result(): ParseResult {
    // Families are resolved once the whole body is read: TYPE and HELP may come anywhere
    // (promparse does not mind), and the last of each applies to every sample.
    for (const sample of this.samples) sample.family = this.familyFor(sample.name);
    const families = this.declared;
    const untyped: MetricType = this.om ? "unknown" : "untyped";
    for (const family of this.familyOf.values()) {
      if (!families.has(family)) families.set(family, { name: family, type: untyped });
    }
    return { format: this.om ? "openmetrics" : "prometheus", samples: this.samples, families };
  }

  private fail(detail: string, line = this.line): never {
    let message = `line ${line}: ${detail}`;
    if (this.spanningValueLine) {
      message += ` (a label value of ${this.metric} opened on line ${this.spanningValueLine} runs over a line break: is a closing quote missing?)`;
    }
    throw new ExpositionError(line, message);
  }

  /** What stands at `i`, for "found …" in messages. */
  private found(i: number): string {
    if (i >= this.n) return "the end of the body";
    if (this.s.charCodeAt(i) === NL) return "the end of the line";
    return show(this.s[i]!);
  }

  // An unexpected character; a carriage return gets its own message, since a Windows
  // line end is the usual cause and Prometheus rejects it.
  private unexpected(i: number, where: string): never {
    const c = this.s.charCodeAt(i);
    if (c === CR && (i + 1 >= this.n || this.s.charCodeAt(i + 1) === NL)) {
      this.fail('the line ends with "\\r\\n"; the exposition formats need "\\n" line ends');
    }
    if (c === 0) this.fail(`NUL byte ${where}`);
    this.fail(`unexpected ${this.found(i)} ${where}`);
  }

  private skipBlanks(i: number): number {
    const s = this.s;
    while (i < this.n) {
      const c = s.charCodeAt(i);
      if (c !== SPACE && c !== TAB) break;
      i++;
    }
    return i;
  }

  private lineEnd(i: number): number {
    const e = this.s.indexOf("\n", i);
    return e < 0 ? this.n : e;
  }

  // ---- The Prometheus text format (promlex.l) ----

  parsePrometheus(): void {
    const s = this.s;
    const n = this.n;
    if (n > 0 && s.charCodeAt(0) === BOM) {
      this.fail("the body starts with a byte order mark (U+FEFF), which Prometheus rejects");
    }
    for (;;) {
      const i = this.skipBlanks(this.i);
      if (i >= n) return;
      const c = s.charCodeAt(i);
      const indented = i > this.i;
      this.i = i;
      if (c === NL) {
        this.i = i + 1;
        this.line++;
      } else if (c === HASH) {
        this.promComment();
      } else if (is(c, METRIC_START)) {
        // promparse.go starts the series at the line's first byte, blanks included, and
        // the scrape then refuses the metric name "  x".
        if (indented) {
          this.metricName(i);
          this.fail(
            `blank before the metric name ${this.metric} (Prometheus rejects a sample line that starts with a blank)`,
          );
        }
        this.promSample();
      } else {
        this.unexpected(i, 'where a line should start with a metric name or "#"');
      }
    }
  }

  private promComment(): void {
    const s = this.s;
    let i = this.i + 1;
    // `# HELP` and `# TYPE` need blanks after both "#" and the keyword; any other
    // line starting with "#" is a comment, `#HELP x` and `# HELPx` included.
    if (s.charCodeAt(i) === SPACE || s.charCodeAt(i) === TAB) {
      i = this.skipBlanks(i);
      const keyword = s.startsWith("HELP", i) ? "HELP" : s.startsWith("TYPE", i) ? "TYPE" : "";
      const after = s.charCodeAt(i + 4);
      if (keyword && (after === SPACE || after === TAB)) {
        this.promMetadata(keyword, this.skipBlanks(i + 4));
        return;
      }
    }
    this.i = this.lineEnd(i) + 1;
    this.line++;
  }

  private promMetadata(keyword: "HELP" | "TYPE", i: number): void {
    const s = this.s;
    const family = this.metadataFamily(i, keyword);
    i = this.tokenEnd;
    const end = this.lineEnd(i);
    // promlex hands the parser the rest of the line and the parser drops its first
    // character: `# HELP x  two` has the help " two", `# TYPE x counter ` the type "counter ".
    const text = s.slice(this.skipBlanks(i) >= end ? end : i + 1, end);
    if (keyword === "TYPE") {
      family.type = this.metricType(text, family.name, end, PROMETHEUS_TYPES);
    } else {
      family.help = text.indexOf("\\") < 0 ? text : unescape(text, false);
    }
    this.i = end + 1;
    this.line++;
  }

  private promSample(): void {
    const s = this.s;
    const n = this.n;
    let i = this.metricName(this.i);
    i = this.skipBlanks(i);
    const labels = this.scratch;
    labels.length = 0;
    if (s.charCodeAt(i) === LBRACE) i = this.skipBlanks(this.promLabels(i + 1, labels));

    const valueStart = i;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === SPACE || c === TAB || c === NL || c === LBRACE || c === 0) break;
    }
    if (i === valueStart) {
      if (i >= n || s.charCodeAt(i) === NL) this.fail(`missing value for ${this.metric}`);
      this.unexpected(i, `where the value of ${this.metric} should be`);
    }
    const value = this.value(valueStart, i);

    i = this.skipBlanks(i);
    let timestampMs: number | undefined;
    if (isDigit(s.charCodeAt(i))) {
      const tsStart = i;
      while (isDigit(s.charCodeAt(i))) i++;
      timestampMs = this.promTimestamp(tsStart, i);
      i = this.skipBlanks(i);
      if (i < n && s.charCodeAt(i) !== NL) {
        this.unexpected(i, `after the timestamp of ${this.metric}`);
      }
    } else if (i < n && s.charCodeAt(i) !== NL) {
      this.unexpected(i, `after the value of ${this.metric}`);
    }
    this.addSample(labels, value, timestampMs);
    this.i = i + 1;
    this.line++;
  }

  // Label pairs in promlex's sLabels state: blanks anywhere between tokens, the comma
  // between pairs optional (`{a="1" b="2"}` is accepted), one trailing comma allowed,
  // and a raw line break allowed inside a quoted value.
  private promLabels(i: number, out: [string, string][]): number {
    const s = this.s;
    for (;;) {
      i = this.skipBlanks(i);
      const c = s.charCodeAt(i);
      if (c === RBRACE) return i + 1;
      if (!is(c, LABEL_START)) this.badLabelName(i);
      const nameStart = i;
      const nameEnd = this.labelNameEnd(i);
      i = this.skipBlanks(nameEnd);
      if (s.charCodeAt(i) !== EQUALS) this.expectedEquals(i, nameStart, nameEnd);
      i = this.skipBlanks(i + 1);
      if (s.charCodeAt(i) !== QUOTE) this.expectedQuote(i, nameStart, nameEnd);
      i = this.skipBlanks(this.labelValue(i, nameStart, nameEnd, out, true));
      if (s.charCodeAt(i) === COMMA) i++;
    }
  }

  private promTimestamp(start: number, end: number): number {
    if (end - start <= 15) return parseGoFloat(this.s, start, end)!;
    while (start < end - 1 && this.s.charCodeAt(start) === 48) start++;
    const digits = this.s.slice(start, end);
    if (digits.length > 19 || (digits.length === 19 && digits > INT64_MAX)) {
      this.fail(`timestamp ${show(digits)} of ${this.metric} is out of the int64 range`);
    }
    return Number(digits);
  }

  // ---- OpenMetrics 1.0 (openmetricslex.l): single spaces, no blank or comment lines ----

  parseOpenMetrics(): void {
    const s = this.s;
    for (;;) {
      const i = this.i;
      if (i >= this.n) this.fail('the body does not end with "# EOF"');
      const c = s.charCodeAt(i);
      if (c === HASH) {
        if (this.omComment()) return;
      } else if (is(c, METRIC_START)) {
        this.omSample();
      } else if (c === NL) {
        this.fail("blank line (OpenMetrics allows none)");
      } else if (c === SPACE || c === TAB) {
        this.fail("the line starts with a blank (OpenMetrics allows none)");
      } else if (c === BOM && i === 0) {
        this.fail("the body starts with a byte order mark (U+FEFF), which Prometheus rejects");
      } else {
        this.unexpected(i, 'where a line should start with a metric name or "#"');
      }
    }
  }

  /** Returns true at `# EOF`. */
  private omComment(): boolean {
    const s = this.s;
    const i = this.i + 2;
    if (s.charCodeAt(this.i + 1) === SPACE) {
      const keyword = s.slice(i, i + 5);
      if (keyword === "HELP " || keyword === "TYPE " || keyword === "UNIT ") {
        this.omMetadata(keyword.slice(0, 4) as "HELP" | "TYPE" | "UNIT", i + 5);
        return false;
      }
      if (s.startsWith("EOF", i)) {
        const after = i + 3;
        if (after === this.n || (s.charCodeAt(after) === NL && after + 1 === this.n)) return true;
        if (s.charCodeAt(after) === NL) this.fail('content after "# EOF"', this.line + 1);
        this.unexpected(after, 'after "# EOF"');
      }
    }
    this.fail(
      'OpenMetrics allows no comments: a line starting with "#" must be "# HELP", "# TYPE", "# UNIT" or "# EOF"',
    );
  }

  private omMetadata(keyword: "HELP" | "TYPE" | "UNIT", i: number): void {
    const s = this.s;
    const family = this.metadataFamily(i, keyword);
    const name = family.name;
    i = this.tokenEnd;
    const end = s.indexOf("\n", i);
    if (end < 0) this.fail('the body does not end with "# EOF"');
    if (s.charCodeAt(i) !== SPACE) {
      this.fail(`expected " " and text after "# ${keyword} ${name}", found ${this.found(i)}`);
    }
    const text = s.slice(i + 1, end);
    if (keyword === "TYPE") {
      family.type = this.metricType(text, name, end, OPENMETRICS_TYPES);
    } else if (keyword === "UNIT") {
      if (text && !(name.endsWith(text) && name.charCodeAt(name.length - text.length - 1) === 95)) {
        this.fail(`unit ${show(text)} is not a suffix of the metric name ${name}`);
      }
      family.unit = text;
    } else {
      family.help = text.indexOf("\\") < 0 ? text : unescape(text, true);
    }
    this.i = end + 1;
    this.line++;
  }

  private omSample(): void {
    const s = this.s;
    const n = this.n;
    let i = this.metricName(this.i);
    const labels = this.scratch;
    labels.length = 0;
    if (s.charCodeAt(i) === LBRACE) i = this.omLabels(i + 1, labels);
    const valueStart = this.omToken(i, `the value of ${this.metric}`);
    i = this.tokenEnd;
    const value = this.value(valueStart, i);

    let timestampMs: number | undefined;
    if (s.startsWith(" # {", i)) {
      i = this.exemplar(i + 4);
    } else if (s.charCodeAt(i) === SPACE) {
      const tsStart = this.omToken(i, `the timestamp of ${this.metric}`);
      i = this.tokenEnd;
      const ts = parseGoFloat(s, tsStart, i);
      if (!isFiniteTimestamp(ts)) {
        this.fail(`invalid timestamp ${show(s.slice(tsStart, i))} for ${this.metric}`);
      }
      // int64(ts * 1000) in Go truncates toward zero; `+ 0` turns -0 into 0.
      timestampMs = Math.trunc(ts * 1000) + 0;
      if (s.startsWith(" # {", i)) i = this.exemplar(i + 4);
      else if (i < n && s.charCodeAt(i) !== NL) {
        this.unexpected(i, `after the timestamp of ${this.metric}`);
      }
    }
    if (i >= n) this.fail('the body does not end with "# EOF"');
    this.addSample(labels, value, timestampMs);
    this.i = i + 1;
    this.line++;
  }

  // One space, then a token up to the next space or line break (`{S}[^ \n]+`).
  // Returns the token's start and leaves its end in `tokenEnd`.
  private omToken(i: number, what: string): number {
    const s = this.s;
    if (s.charCodeAt(i) !== SPACE) {
      if (i >= this.n) this.fail('the body does not end with "# EOF"');
      if (s.charCodeAt(i) === NL) this.fail(`missing ${what}`);
      this.unexpected(i, `where " " and ${what} should be`);
    }
    const start = i + 1;
    let e = start;
    while (e < this.n) {
      const c = s.charCodeAt(e);
      if (c === SPACE || c === NL) break;
      e++;
    }
    if (e === start) {
      if (s.charCodeAt(e) === SPACE) this.fail(`two spaces before ${what} (OpenMetrics wants one)`);
      if (e >= this.n) this.fail('the body does not end with "# EOF"');
      this.fail(`missing ${what} (a blank at the end of the line?)`);
    }
    this.tokenEnd = e;
    return start;
  }

  // Label pairs in openmetricslex's sLabels state: no blanks, a comma between pairs and
  // none after the last, no raw line break inside a value.
  private omLabels(i: number, out: [string, string][] | null): number {
    const s = this.s;
    for (let first = true; ; first = false) {
      let c = s.charCodeAt(i);
      if (c === RBRACE) return i + 1;
      if (!first) {
        if (is(c, LABEL_START)) this.fail(`expected "," between the labels of ${this.metric}`);
        if (c !== COMMA) this.omLabelSetBroken(i);
        c = s.charCodeAt(++i);
        if (c === RBRACE) {
          this.fail(`trailing "," in the labels of ${this.metric} (OpenMetrics allows none)`);
        }
      } else if (c === COMMA) {
        this.fail(`the labels of ${this.metric} start with ","`);
      }
      if (!is(c, LABEL_START)) {
        if (c === SPACE) this.omLabelSetBroken(i);
        this.badLabelName(i);
      }
      const nameStart = i;
      const nameEnd = this.labelNameEnd(i);
      if (s.charCodeAt(nameEnd) !== EQUALS) this.expectedEquals(nameEnd, nameStart, nameEnd);
      if (s.charCodeAt(nameEnd + 1) !== QUOTE) {
        this.expectedQuote(nameEnd + 1, nameStart, nameEnd);
      }
      i = this.labelValue(nameEnd + 1, nameStart, nameEnd, out, false);
    }
  }

  private omLabelSetBroken(i: number): never {
    if (i >= this.n || this.s.charCodeAt(i) === NL) {
      this.fail(`the labels of ${this.metric} are not closed with "}"`);
    }
    if (this.s.charCodeAt(i) === SPACE) {
      this.fail(`blank in the labels of ${this.metric} (OpenMetrics allows none)`);
    }
    this.unexpected(i, `in the labels of ${this.metric}`);
  }

  // Exemplars are checked as Prometheus checks them, then dropped. `i` is past " # {".
  private exemplar(i: number): number {
    const s = this.s;
    if (!EXEMPLAR_SUFFIXES.some((suffix) => this.metric.endsWith(suffix))) {
      this.fail(
        `exemplar on ${this.metric}: Prometheus accepts exemplars only on _total and _bucket samples`,
      );
    }
    i = this.omLabels(i, null);
    const valueStart = this.omToken(i, `the exemplar value of ${this.metric}`);
    i = this.tokenEnd;
    if (parseGoFloat(s, valueStart, i) === undefined) {
      this.fail(`invalid exemplar value ${show(s.slice(valueStart, i))} on ${this.metric}`);
    }
    if (s.charCodeAt(i) === SPACE) {
      const tsStart = this.omToken(i, `the exemplar timestamp of ${this.metric}`);
      i = this.tokenEnd;
      if (!isFiniteTimestamp(parseGoFloat(s, tsStart, i))) {
        this.fail(`invalid exemplar timestamp ${show(s.slice(tsStart, i))} on ${this.metric}`);
      }
      if (i < this.n && s.charCodeAt(i) !== NL) {
        this.unexpected(i, `after the exemplar timestamp of ${this.metric}`);
      }
    }
    return i;
  }

  // ---- Shared by both formats ----

  /** The family named on a HELP, TYPE or UNIT line at `i`; the name's end goes to `tokenEnd`. */
  private metadataFamily(i: number, keyword: string): MetricFamilyMeta {
    const s = this.s;
    if (!is(s.charCodeAt(i), METRIC_START)) {
      this.fail(`expected a metric name after "# ${keyword}", found ${this.found(i)}`);
    }
    let e = i + 1;
    while (is(s.charCodeAt(e), METRIC_CONT)) e++;
    this.tokenEnd = e;
    // HELP and TYPE of one family usually come one after the other.
    const last = this.lastFamily;
    if (last && last.name.length === e - i && s.startsWith(last.name, i)) return last;
    const name = s.slice(i, e);
    let meta = this.declared.get(name);
    if (!meta) {
      meta = { name, type: this.om ? "unknown" : "untyped" };
      this.declared.set(name, meta);
    }
    return (this.lastFamily = meta);
  }

  private metricType(
    text: string,
    name: string,
    end: number,
    allowed: ReadonlySet<string>,
  ): MetricType {
    if (allowed.has(text)) return text as MetricType;
    if (text.endsWith("\r")) this.unexpected(end - 1, "");
    const names = [...allowed];
    const want = `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
    this.fail(`invalid metric type ${show(text)} for ${name} (want ${want})`);
  }

  // Scans the metric name at `start` (a valid first character). Consecutive samples
  // usually share a name: the previous sample's string is reused then.
  private metricName(start: number): number {
    const s = this.s;
    let i = start + 1;
    while (is(s.charCodeAt(i), METRIC_CONT)) i++;
    const prev = this.metric;
    if (i - start !== prev.length || !s.startsWith(prev, start)) this.metric = s.slice(start, i);
    this.spanningValueLine = 0;
    return i;
  }

  private labelNameEnd(i: number): number {
    i++;
    while (is(this.s.charCodeAt(i), LABEL_CONT)) i++;
    return i;
  }

  // Reads the quoted value at `i` of the label named by [nameStart, nameEnd) and adds the
  // pair to `out` (null for an exemplar's labels). Returns the index past the quote.
  private labelValue(
    i: number,
    nameStart: number,
    nameEnd: number,
    out: [string, string][] | null,
    newlineAllowed: boolean,
  ): number {
    const s = this.s;
    const n = this.n;
    const start = i + 1;
    let escaped = false;
    let j = start;
    for (;;) {
      let c = 0;
      while (j < n) {
        c = s.charCodeAt(j);
        if (c === QUOTE || c === BACKSLASH || c === NL) break;
        j++;
      }
      if (j >= n) break;
      if (c === QUOTE) {
        if (out) this.addLabel(out, nameStart, nameEnd, start, j, escaped);
        return j + 1;
      }
      if (c === BACKSLASH) {
        if (s.charCodeAt(j + 1) === NL) {
          this.fail(
            `backslash before a line break in the value of label ${show(s.slice(nameStart, nameEnd))} on ${this.metric}`,
          );
        }
        escaped = true;
        j += 2;
      } else if (newlineAllowed) {
        if (!this.spanningValueLine) this.spanningValueLine = this.line;
        this.line++;
        j++;
      } else break;
    }
    const opened = this.spanningValueLine || this.line;
    this.spanningValueLine = 0;
    this.fail(
      `the value of label ${show(s.slice(nameStart, nameEnd))} on ${this.metric} is not terminated`,
      opened,
    );
  }

  private addLabel(
    out: [string, string][],
    nameStart: number,
    nameEnd: number,
    valueStart: number,
    valueEnd: number,
    escaped: boolean,
  ): void {
    const s = this.s;
    const k = out.length;
    // The previous sample's label in the same place often has the same name, and
    // often the same value: reusing its strings saves most allocations of a scrape.
    const prev = this.prevLabels[k];
    let name: string;
    let value: string;
    if (prev !== undefined) {
      const p0 = prev[0];
      name =
        p0.length === nameEnd - nameStart && s.startsWith(p0, nameStart)
          ? p0
          : s.slice(nameStart, nameEnd);
      const p1 = prev[1];
      value =
        !escaped && p1.length === valueEnd - valueStart && s.startsWith(p1, valueStart)
          ? p1
          : s.slice(valueStart, valueEnd);
    } else {
      name = s.slice(nameStart, nameEnd);
      value = s.slice(valueStart, valueEnd);
    }
    if (escaped) value = unescape(value, true);
    // The metric name is the label __name__: Prometheus's TSDB refuses a second one.
    if (name === "__name__") this.fail(`duplicate label ${show(name)} on ${this.metric}`);
    for (let m = 0; m < k; m++) {
      if (out[m]![0] === name) this.fail(`duplicate label ${show(name)} on ${this.metric}`);
    }
    if (this.checkLengths) this.checkLabelLengths(name, value);
    out.push([name, value]);
  }

  private checkLabelLengths(name: string, value: string): void {
    const { maxLabelNameLength, maxLabelValueLength } = this.limits;
    if (maxLabelNameLength !== undefined && name.length > maxLabelNameLength) {
      this.limitExceeded(
        "labelNameLength",
        `label name ${show(name)} on ${this.metric} is ${name.length} bytes (limit ${maxLabelNameLength})`,
      );
    }
    // UTF-8 is never shorter than UTF-16: only a value that might be too long is counted.
    if (maxLabelValueLength !== undefined && value.length * 3 > maxLabelValueLength) {
      const bytes = utf8Length(value);
      if (bytes > maxLabelValueLength) {
        this.limitExceeded(
          "labelValueLength",
          `label value of ${show(name)} on ${this.metric} is ${bytes} bytes (limit ${maxLabelValueLength})`,
        );
      }
    }
  }

  private limitExceeded(limit: ExpositionLimitKind, message: string): never {
    throw new ExpositionLimitError(this.line, limit, message);
  }

  private badLabelName(i: number): never {
    const s = this.s;
    if (i >= this.n || s.charCodeAt(i) === NL) {
      this.fail(`the labels of ${this.metric} are not closed with "}"`);
    }
    let e = i;
    for (; e < this.n; e++) {
      const c = s.charCodeAt(e);
      if (c === SPACE || c === TAB || c === NL || c === EQUALS || c === COMMA) break;
      if (c === RBRACE || c === LBRACE || c === QUOTE) break;
    }
    if (e === i) this.unexpected(i, `where a label name of ${this.metric} should be`);
    this.fail(
      `invalid label name ${show(s.slice(i, e))} on ${this.metric}: label names must match [a-zA-Z_][a-zA-Z0-9_]*`,
    );
  }

  private expectedEquals(i: number, nameStart: number, nameEnd: number): never {
    const label = show(this.s.slice(nameStart, nameEnd));
    this.unexpected(i, `after label name ${label} on ${this.metric} (want "=")`);
  }

  private expectedQuote(i: number, nameStart: number, nameEnd: number): never {
    const label = show(this.s.slice(nameStart, nameEnd));
    this.unexpected(i, `where the quoted value of label ${label} on ${this.metric} should be`);
  }

  private value(start: number, end: number): number {
    const v = parseGoFloat(this.s, start, end);
    if (v === undefined) {
      if (this.s.charCodeAt(end - 1) === CR) this.unexpected(end - 1, "");
      this.fail(`invalid value ${show(this.s.slice(start, end))} for ${this.metric}`);
    }
    return v;
  }

  private addSample(
    labels: [string, string][],
    value: number,
    timestampMs: number | undefined,
  ): void {
    const { maxSamples, maxLabels } = this.limits;
    if (maxLabels !== undefined && labels.length > maxLabels) {
      this.limitExceeded(
        "labels",
        `${this.metric} has ${labels.length} labels (limit ${maxLabels})`,
      );
    }
    if (maxSamples !== undefined && this.samples.length >= maxSamples) {
      this.limitExceeded("samples", `sample limit ${maxSamples} exceeded`);
    }
    const name = this.metric;
    let own: [string, string][] = [];
    if (labels.length > 0) this.prevLabels = own = labels.slice();
    this.samples.push({ name, labels: own, value, timestampMs, family: "" });
  }

  private familyFor(name: string): string {
    if (name === this.prevName) return this.prevFamily;
    let family = this.familyOf.get(name);
    if (family === undefined) {
      family = this.lookUpFamily(name);
      this.familyOf.set(name, family);
    }
    this.prevName = name;
    this.prevFamily = family;
    return family;
  }

  private lookUpFamily(name: string): string {
    if (this.declared.has(name)) return name;
    for (const [suffix, types] of FAMILY_SUFFIXES) {
      if (!name.endsWith(suffix)) continue;
      const base = this.declared.get(name.slice(0, -suffix.length));
      if (base && types.includes(base.type)) return base.name;
    }
    return name;
  }
}
