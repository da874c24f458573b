// The PromQL parser: text to the syntax tree of ./ast.ts, with the type checks of
// Prometheus 2.42 (promql/parser: generated_parser.y, parse.go). Prometheus parses with
// a yacc grammar; this is recursive descent with the same precedences, so it accepts
// the same queries and builds the same trees, and reports the error Prometheus reports
// first, worded as Prometheus words it, with its position.

import { RE2JS } from "re2js";
import type {
  Aggregate,
  AggregateOp,
  Binary,
  BinaryOp,
  Call,
  Expr,
  LabelMatcher,
  MatchOp,
  Pos,
  ValueType,
  VectorMatching,
  VectorSelector,
} from "./ast";
import { FUNCTIONS } from "./functions";
import {
  describeToken,
  isAggregatorToken,
  isLabelName,
  lex,
  type Token,
  type TokenType,
} from "./lex";
import { matcherTest } from "./matcher";

/** A query Prometheus would refuse. `message` reads like Prometheus's: `1:6: parse error: …`. */
export class PromQLParseError extends Error {
  /** Character offsets of the part of the query the error is about. */
  readonly pos: Pos;
  /** The message without its position prefix. */
  readonly detail: string;

  constructor(query: string, pos: Pos, detail: string) {
    super(`${lineColumn(query, pos.start)} parse error: ${detail}`);
    this.name = "PromQLParseError";
    this.pos = pos;
    this.detail = detail;
  }
}

// Prometheus counts columns in UTF-8 bytes from 1; the message says what it says.
function lineColumn(query: string, pos: number): string {
  if (pos < 0 || pos > query.length) return "invalid position:";
  const before = query.slice(0, pos);
  const lineStart = before.lastIndexOf("\n") + 1;
  const line = before.split("\n").length;
  const col = new TextEncoder().encode(before.slice(lineStart)).length + 1;
  return `${line}:${col}:`;
}

const DOCUMENTED: Record<ValueType, string> = {
  scalar: "scalar",
  vector: "instant vector",
  matrix: "range vector",
  string: "string",
};

// Binding strength of binary operators, weakest first; `^` alone is right-associative.
const PRECEDENCE: Partial<Record<TokenType, number>> = {
  LOR: 1,
  LAND: 2,
  LUNLESS: 2,
  EQLC: 3,
  NEQ: 3,
  LTE: 3,
  LSS: 3,
  GTE: 3,
  GTR: 3,
  ADD: 4,
  SUB: 4,
  MUL: 5,
  DIV: 5,
  MOD: 5,
  ATAN2: 5,
  POW: 6,
};
const POW_PRECEDENCE = 6;

const COMPARISONS = new Set<BinaryOp>(["==", "!=", ">", "<", ">=", "<="]);
const SET_OPERATORS = new Set<BinaryOp>(["and", "or", "unless"]);

// Tokens that stand for a metric name where an expression starts: Prometheus's
// metric_identifier (so `by`, `offset` or `sum` alone select a metric of that name).
const METRIC_NAME_TOKENS = new Set<TokenType>([
  "AVG",
  "BOTTOMK",
  "BY",
  "COUNT",
  "COUNT_VALUES",
  "GROUP",
  "IDENTIFIER",
  "LAND",
  "LOR",
  "LUNLESS",
  "MAX",
  "METRIC_IDENTIFIER",
  "MIN",
  "OFFSET",
  "QUANTILE",
  "STDDEV",
  "STDVAR",
  "SUM",
  "TOPK",
  "WITHOUT",
  "START",
  "END",
]);

// Tokens that may name a label in by/without/on/ignoring/group_x lists (maybe_label):
// every keyword but `without`, and a metric name only if it has no colon.
const LABEL_TOKENS = new Set<TokenType>([
  ...[...METRIC_NAME_TOKENS].filter((t) => t !== "WITHOUT"),
  "BOOL",
  "GROUP_LEFT",
  "GROUP_RIGHT",
  "IGNORING",
  "ON",
  "ATAN2",
]);

// What may start an expression; after a comma in a call, anything else makes the
// comma a trailing one (Prometheus reduces it before looking further).
const EXPR_START = new Set<TokenType>([
  ...METRIC_NAME_TOKENS,
  "NUMBER",
  "STRING",
  "LEFT_PAREN",
  "LEFT_BRACE",
  "ADD",
  "SUB",
]);

const MATCH_OPS: Partial<Record<TokenType, MatchOp>> = {
  EQL: "=",
  NEQ: "!=",
  EQL_REGEX: "=~",
  NEQ_REGEX: "!~",
};

// Prometheus has no limit; this one keeps the parser, the printer and the evaluator,
// which all recurse over the tree, well inside a JavaScript stack. No real query comes
// near it.
const MAX_DEPTH = 500;

/** Where a syntax error is caught, as the grammar's `error` rules word it. */
interface ErrorContext {
  context: string;
  expected: string;
}

const MS_PER_UNIT: [string, bigint][] = [
  ["y", 365n * 24n * 3_600_000n],
  ["w", 7n * 24n * 3_600_000n],
  ["d", 24n * 3_600_000n],
  ["h", 3_600_000n],
  ["m", 60_000n],
  ["s", 1000n],
  ["ms", 1n],
];
const DURATION_RE =
  /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
// Go's time.Duration counts nanoseconds in an int64.
const MAX_DURATION_NS = (1n << 63n) - 1n;

/**
 * Parses a Prometheus duration (`1h30m`, `5m`, `1y`, `2w`, `100ms`, or `0`) to
 * milliseconds, as Prometheus's model.ParseDuration does: units in descending order,
 * each at most once, whole numbers only. Throws an Error with Prometheus's message.
 */
export function parseDuration(s: string): number {
  if (s === "0") return 0;
  if (s === "") throw new Error("empty duration string");
  const m = DURATION_RE.exec(s);
  if (!m) throw new Error(`not a valid duration string: ${JSON.stringify(s)}`);
  let ms = 0n;
  MS_PER_UNIT.forEach(([, mult], i) => {
    const n = m[i + 1];
    if (n !== undefined) ms += BigInt(n) * mult;
  });
  if (ms * 1_000_000n > MAX_DURATION_NS) throw new Error("duration out of range");
  return Number(ms);
}

/** The type an expression evaluates to (Prometheus's Expr.Type()). */
export function exprType(e: Expr): ValueType {
  switch (e.kind) {
    case "number":
      return "scalar";
    case "string":
      return "string";
    case "vectorSelector":
    case "aggregate":
      return "vector";
    case "matrixSelector":
    case "subquery":
      return "matrix";
    case "call":
      return FUNCTIONS.get(e.func)?.returnType ?? "vector";
    case "binary":
      return exprType(e.lhs) === "scalar" && exprType(e.rhs) === "scalar" ? "scalar" : "vector";
    case "unary":
    case "paren":
      return exprType(e.expr);
  }
}

// strconv.ParseInt(s, 0, 64) then strconv.ParseFloat(s, 64), as Prometheus reads numbers.
function parseNumber(text: string): number | string {
  const invalid = `strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`;
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) {
    const n = BigInt(text);
    // A hex integer that overflows int64 is not a float either (Go wants a p exponent).
    return n <= MAX_DURATION_NS ? Number(n) : invalid;
  }
  if (/^0[0-7]+$/.test(text)) {
    const n = BigInt("0o" + text.slice(1));
    if (n <= MAX_DURATION_NS) return Number(n);
  }
  const lower = text.toLowerCase();
  if (lower === "inf") return Infinity;
  if (lower === "nan") return NaN;
  if (!/^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return invalid;
  const v = Number(text);
  if (!Number.isFinite(v)) {
    return `strconv.ParseFloat: parsing ${JSON.stringify(text)}: value out of range`;
  }
  return v;
}

// Go's strconv.Unquote as Prometheus's strutil uses it: the lexer has already refused
// bad escapes. \x and octal escapes are bytes; the bytes are read back as UTF-8.
function unquote(raw: string): string {
  const quote = raw[0];
  const body = raw.slice(1, -1);
  if (quote === "`" || !body.includes("\\")) return body;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < body.length;) {
    const c = body[i]!;
    if (c !== "\\") {
      const cp = body.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...encoder.encode(ch));
      i += ch.length;
      continue;
    }
    const e = body[i + 1]!;
    i += 2;
    const simple: Record<string, number> = {
      a: 7,
      b: 8,
      f: 12,
      n: 10,
      r: 13,
      t: 9,
      v: 11,
      "\\": 92,
      "'": 39,
      '"': 34,
    };
    if (e in simple) {
      bytes.push(simple[e]!);
    } else if (e === "x") {
      bytes.push(parseInt(body.slice(i, i + 2), 16));
      i += 2;
    } else if (e === "u" || e === "U") {
      const n = e === "u" ? 4 : 8;
      bytes.push(...encoder.encode(String.fromCodePoint(parseInt(body.slice(i, i + n), 16))));
      i += n;
    } else {
      bytes.push(parseInt(body.slice(i - 1, i + 2), 8));
      i += 2;
    }
  }
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(new Uint8Array(bytes));
}

// Prometheus compiles `^(?:re)$` and then `re` alone, with Go 1.19's RE2; re2js is RE2
// too and words its errors the same way. Go 1.19 differs from it in two things: it
// accepts a capture name used twice, and it refuses `(?<` outright (`(?<name>` came with
// Go 1.22), where re2js reads a name. RE2 refuses `(?=` at the same place for the same
// reason, so that stands in for each `(?<` and the message is put back.
function regexError(source: string): string | undefined {
  const { angles, lookaheads } = scanRegex(source);
  const standIn = angles.reduce((re, i) => re.slice(0, i) + "(?=" + re.slice(i + 3), source);
  let tried = standIn;
  let message = compileError(standIn);
  if (message?.includes("duplicate capture group name")) {
    tried = uniqueCaptureNames(standIn);
    message = compileError(tried);
  }
  if (message === undefined) return undefined;
  message = message.split(tried).join(source);
  if (angles.length > 0 && angles[0]! < (lookaheads[0] ?? Infinity)) {
    message = message.replace(
      /invalid or unsupported Perl syntax: `\(\?=`$/,
      "invalid or unsupported Perl syntax: `(?<`",
    );
  }
  return message;
}

function compileError(re: string): string | undefined {
  try {
    RE2JS.compile(`^(?:${re})$`);
    RE2JS.compile(re);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

// Walks a regular expression outside escapes, \Q…\E quotes and character classes, where
// group syntax means something: where `(?<` and `(?=` start, and each `(?P<name>`.
function scanRegex(re: string, onNamedGroup?: (nameStart: number, nameEnd: number) => void) {
  const angles: number[] = [];
  const lookaheads: number[] = [];
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === "\\") {
      if (re[i + 1] === "Q") {
        const end = re.indexOf("\\E", i + 2);
        i = end < 0 ? re.length : end + 1;
      } else i++;
    } else if (c === "[") {
      i++;
      if (re[i] === "^") i++;
      if (re[i] === "]") i++;
      for (; i < re.length && re[i] !== "]"; i++) {
        if (re[i] === "\\") i++;
        else if (re.startsWith("[:", i)) {
          const end = re.indexOf(":]", i + 2);
          if (end >= 0) i = end + 1;
        }
      }
    } else if (re.startsWith("(?<", i)) {
      angles.push(i);
    } else if (re.startsWith("(?=", i)) {
      lookaheads.push(i);
    } else if (re.startsWith("(?P<", i) && onNamedGroup) {
      const end = re.indexOf(">", i + 4);
      if (end >= 0) onNamedGroup(i + 4, end);
    }
  }
  return { angles, lookaheads };
}

function uniqueCaptureNames(re: string): string {
  const ends: number[] = [];
  scanRegex(re, (start, end) => {
    if (/^\w+$/.test(re.slice(start, end))) ends.push(end);
  });
  let out = "";
  let from = 0;
  ends.forEach((end, k) => {
    out += `${re.slice(from, end)}_${k}`;
    from = end;
  });
  return out + re.slice(from);
}

function posOf(tok: Token): Pos {
  return { start: tok.pos, end: tok.pos + tok.val.length };
}

class Parser {
  private readonly query: string;
  private readonly tokens: Token[];
  private i = 0;
  private readonly contexts: ErrorContext[] = [];
  private readonly depths = new WeakMap<Expr, number>();
  private descent = 0;

  constructor(query: string) {
    this.query = query;
    this.tokens = lex(query).filter((t) => t.type !== "COMMENT");
  }

  tooDeep(pos: Pos): never {
    this.fail(pos, `expression nests too deeply: more than ${MAX_DEPTH} levels`);
  }

  /** Records a node's depth in the tree, refusing one deeper than MAX_DEPTH. */
  nested<T extends Expr>(e: T, children: Expr[]): T {
    let depth = 0;
    for (const c of children) depth = Math.max(depth, this.depths.get(c) ?? 1);
    if (depth + 1 > MAX_DEPTH) this.tooDeep(e.pos);
    this.depths.set(e, depth + 1);
    return e;
  }

  fail(pos: Pos, detail: string): never {
    throw new PromQLParseError(this.query, pos, detail);
  }

  peek(ahead = 0): Token {
    const tok = this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!;
    // The lexer stopped here: its error is the one Prometheus reports.
    if (tok.type === "ERROR") {
      this.fail({ start: tok.pos, end: this.query.length }, tok.val);
    }
    return tok;
  }

  next(): Token {
    const tok = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return tok;
  }

  /** A token the grammar has no place for, reported in the innermost enclosing context. */
  unexpected(tok: Token, ctx?: ErrorContext): never {
    const c = ctx ?? this.contexts[this.contexts.length - 1];
    let msg = `unexpected ${describeToken(tok)}`;
    if (c?.context) msg += ` in ${c.context}`;
    if (c?.expected) msg += `, expected ${c.expected}`;
    this.fail(posOf(tok), msg);
  }

  expect(type: TokenType, ctx?: ErrorContext): Token {
    const tok = this.peek();
    if (tok.type !== type) this.unexpected(tok, ctx);
    return this.next();
  }

  within<T>(ctx: ErrorContext, f: () => T): T {
    this.contexts.push(ctx);
    try {
      return f();
    } finally {
      this.contexts.pop();
    }
  }

  parseQuery(): Expr {
    if (this.peek().type === "EOF") this.fail({ start: 0, end: 0 }, "no expression found in input");
    const e = this.parseExpr(0);
    this.expect("EOF");
    return e;
  }

  parseSelectorOnly(): VectorSelector {
    const tok = this.peek();
    if (!METRIC_NAME_TOKENS.has(tok.type) && tok.type !== "LEFT_BRACE") this.unexpected(tok);
    const vs = this.parseVectorSelector();
    this.expect("EOF");
    return vs;
  }

  // Every recursion passes here, so this bounds the parser's stack.
  parseExpr(minPrecedence: number): Expr {
    if (++this.descent > MAX_DEPTH) this.tooDeep(posOf(this.peek()));
    const e = this.parseExprAt(minPrecedence);
    this.descent--;
    return e;
  }

  parseExprAt(minPrecedence: number): Expr {
    let lhs = this.parseOperand();
    for (;;) {
      const opTok = this.peek();
      const prec = PRECEDENCE[opTok.type];
      if (prec === undefined || prec < minPrecedence) return lhs;
      this.next();
      const op = opTok.val.toLowerCase() as BinaryOp;
      const { returnBool, matching } = this.parseBinaryModifiers();
      const rhs = this.parseExpr(opTok.type === "POW" ? prec : prec + 1);
      lhs = this.nested(
        {
          kind: "binary",
          op,
          lhs,
          rhs,
          returnBool,
          matching,
          pos: { start: lhs.pos.start, end: rhs.pos.end },
        },
        [lhs, rhs],
      );
    }
  }

  // Unary minus binds like `*`: `-a ^ b` is `-(a ^ b)`, `-a * b` is `(-a) * b`. Like
  // Prometheus, a sign in front of a number literal is folded into it.
  parseOperand(): Expr {
    const tok = this.peek();
    if (tok.type === "ADD" || tok.type === "SUB") {
      this.next();
      const expr = this.parseExpr(POW_PRECEDENCE);
      const op = tok.type === "SUB" ? "-" : "+";
      if (expr.kind === "number") {
        return {
          kind: "number",
          value: op === "-" ? -expr.value : expr.value,
          pos: { start: tok.pos, end: expr.pos.end },
        };
      }
      return this.nested({ kind: "unary", op, expr, pos: { start: tok.pos, end: expr.pos.end } }, [
        expr,
      ]);
    }
    return this.parsePostfix(this.parsePrimary());
  }

  parsePrimary(): Expr {
    const tok = this.peek();
    switch (tok.type) {
      case "NUMBER": {
        this.next();
        const v = parseNumber(tok.val);
        if (typeof v === "string") this.fail(posOf(tok), `error parsing number: ${v}`);
        return { kind: "number", value: v, pos: posOf(tok) };
      }
      case "STRING":
        this.next();
        return { kind: "string", value: unquote(tok.val), pos: posOf(tok) };
      case "LEFT_PAREN": {
        this.next();
        const expr = this.parseExpr(0);
        const close = this.expect("RIGHT_PAREN");
        return this.nested({ kind: "paren", expr, pos: { start: tok.pos, end: close.pos + 1 } }, [
          expr,
        ]);
      }
      case "LEFT_BRACE":
        return this.parseVectorSelector();
      case "IDENTIFIER":
        if (this.peek(1).type === "LEFT_PAREN") return this.parseCall();
        return this.parseVectorSelector();
    }
    if (isAggregatorToken(tok.type)) {
      const after = this.peek(1).type;
      if (after === "LEFT_PAREN" || after === "BY" || after === "WITHOUT") {
        return this.parseAggregate();
      }
    }
    if (METRIC_NAME_TOKENS.has(tok.type)) return this.parseVectorSelector();
    this.unexpected(tok);
  }

  // `[range]`, `[range:step]`, `offset`, `@` bind to the selector or subquery right
  // before them, never to a whole binary expression: `a + b offset 5m` shifts only b.
  parsePostfix(expr: Expr): Expr {
    for (;;) {
      const tok = this.peek();
      if (tok.type === "LEFT_BRACKET") expr = this.parseRange(expr);
      else if (tok.type === "OFFSET") this.parseOffset(expr);
      else if (tok.type === "AT") this.parseAt(expr);
      else return expr;
    }
  }

  parseDurationToken(tok: Token): number {
    let ms: number;
    try {
      ms = parseDuration(tok.val);
    } catch (err) {
      this.fail(posOf(tok), (err as Error).message);
    }
    if (ms === 0) this.fail(posOf(tok), "duration must be greater than 0");
    return ms;
  }

  parseRange(expr: Expr): Expr {
    const open = this.next();
    const rangeTok = this.expect("DURATION", {
      context: "subquery selector",
      expected: "duration",
    });
    const rangeMs = this.parseDurationToken(rangeTok);
    const tok = this.peek();
    if (tok.type === "RIGHT_BRACKET") {
      this.next();
      const where = { start: open.pos, end: tok.pos + 1 };
      if (expr.kind !== "vectorSelector")
        this.fail(where, "ranges only allowed for vector selectors");
      if (expr.offsetMs !== 0) this.fail(where, "no offset modifiers allowed before range");
      // Only a timestamp counts: Prometheus lets `@ start()` through here.
      if (typeof expr.at === "number") this.fail(where, "no @ modifiers allowed before range");
      return {
        kind: "matrixSelector",
        vector: expr,
        rangeMs,
        pos: { start: expr.pos.start, end: tok.pos + 1 },
      };
    }
    if (tok.type !== "COLON") {
      this.unexpected(tok, { context: "subquery or range", expected: '":" or "]"' });
    }
    this.next();
    let stepMs: number | undefined;
    const stepTok = this.peek();
    if (stepTok.type === "DURATION") {
      this.next();
      stepMs = this.parseDurationToken(stepTok);
      if (this.peek().type !== "RIGHT_BRACKET") {
        this.unexpected(this.peek(), { context: "subquery selector", expected: '"]"' });
      }
    } else if (stepTok.type !== "RIGHT_BRACKET") {
      this.unexpected(stepTok, { context: "subquery selector", expected: 'duration or "]"' });
    }
    const close = this.next();
    return this.nested(
      {
        kind: "subquery",
        expr,
        rangeMs,
        stepMs,
        offsetMs: 0,
        at: undefined,
        pos: { start: expr.pos.start, end: close.pos + 1 },
      },
      [expr],
    );
  }

  // The selector (or subquery) an offset or @ modifies, or an error naming what may.
  modifierTarget(expr: Expr, what: string): { offsetMs: number; at: VectorSelector["at"] } {
    if (expr.kind === "vectorSelector" || expr.kind === "subquery") return expr;
    if (expr.kind === "matrixSelector") return expr.vector;
    this.fail(
      expr.pos,
      `${what} must be preceded by an instant vector selector or range vector selector or a subquery`,
    );
  }

  parseOffset(expr: Expr): void {
    this.next();
    const ctx = { context: "offset", expected: "duration" };
    let sign = 1;
    if (this.peek().type === "SUB") {
      this.next();
      sign = -1;
    }
    const tok = this.expect("DURATION", ctx);
    const ms = sign * this.parseDurationToken(tok);
    const target = this.modifierTarget(expr, "offset modifier");
    if (target.offsetMs !== 0) this.fail(expr.pos, "offset may not be set multiple times");
    target.offsetMs = ms;
    expr.pos = { start: expr.pos.start, end: tok.pos + tok.val.length };
  }

  parseAt(expr: Expr): void {
    this.next();
    const ctx = { context: "@", expected: "timestamp" };
    let tok = this.peek();
    let at: VectorSelector["at"];
    if (tok.type === "START" || tok.type === "END") {
      this.next();
      this.expect("LEFT_PAREN", ctx);
      at = tok.type === "START" ? "start" : "end";
      tok = this.expect("RIGHT_PAREN", ctx);
    } else {
      let sign = 1;
      if (tok.type === "ADD" || tok.type === "SUB") {
        this.next();
        sign = tok.type === "SUB" ? -1 : 1;
      }
      tok = this.expect("NUMBER", ctx);
      const v = parseNumber(tok.val);
      if (typeof v === "string") this.fail(posOf(tok), `error parsing number: ${v}`);
      const seconds = sign * v;
      if (!Number.isFinite(seconds) || seconds >= 2 ** 63 || seconds <= -(2 ** 63)) {
        this.fail(expr.pos, `timestamp out of bounds for @ modifier: ${goFixed6(seconds)}`);
      }
      at = roundHalfAwayFromZero(seconds * 1000);
      // Go's int64 conversion on amd64 (the reference build): out of range is MinInt64.
      if (Math.abs(at) >= 2 ** 63) at = -(2 ** 63);
    }
    const target = this.modifierTarget(expr, "@ modifier");
    if (target.at !== undefined) this.fail(expr.pos, "@ <timestamp> may not be set multiple times");
    target.at = at;
    expr.pos = { start: expr.pos.start, end: tok.pos + tok.val.length };
  }

  parseVectorSelector(): VectorSelector {
    const first = this.peek();
    let name: string | undefined;
    let start = first.pos;
    let end = first.pos + first.val.length;
    if (first.type !== "LEFT_BRACE") {
      this.next();
      name = first.val;
    }
    let matchers: LabelMatcher[] = [];
    if (this.peek().type === "LEFT_BRACE") {
      const braces = this.parseLabelMatchers();
      matchers = braces.matchers;
      if (name === undefined) start = braces.start;
      end = braces.end;
    }
    // The name goes last, as Prometheus appends it: the duplicate check relies on it.
    if (name !== undefined) matchers.push({ name: "__name__", op: "=", value: name });
    return {
      kind: "vectorSelector",
      name,
      matchers,
      offsetMs: 0,
      at: undefined,
      pos: { start, end },
    };
  }

  parseLabelMatchers(): { matchers: LabelMatcher[]; start: number; end: number } {
    const open = this.next();
    const matchers: LabelMatcher[] = [];
    const ctx = (expected: string) => ({ context: "label matching", expected });
    if (this.peek().type !== "RIGHT_BRACE") {
      for (;;) {
        const label = this.expect("IDENTIFIER", ctx('identifier or "}"'));
        const opTok = this.peek();
        const op = MATCH_OPS[opTok.type];
        if (!op) this.unexpected(opTok, ctx("label matching operator"));
        this.next();
        const valueTok = this.expect("STRING", ctx("string"));
        const value = unquote(valueTok.val);
        if (op === "=~" || op === "!~") {
          const problem = regexError(value);
          if (problem !== undefined) {
            this.fail({ start: label.pos, end: valueTok.pos + valueTok.val.length }, problem);
          }
        }
        matchers.push({ name: label.val, op, value });
        const sep = this.peek();
        if (sep.type === "RIGHT_BRACE") break;
        if (sep.type !== "COMMA") this.unexpected(sep, ctx('"," or "}"'));
        this.next();
        if (this.peek().type === "RIGHT_BRACE") break;
      }
    }
    const close = this.next();
    return { matchers, start: open.pos, end: close.pos + 1 };
  }

  parseBinaryModifiers(): { returnBool: boolean; matching: VectorMatching } {
    let returnBool = false;
    if (this.peek().type === "BOOL") {
      this.next();
      returnBool = true;
    }
    const matching: VectorMatching = { card: "one-to-one", on: false, labels: [], include: [] };
    const tok = this.peek();
    if (tok.type === "ON" || tok.type === "IGNORING") {
      this.next();
      matching.on = tok.type === "ON";
      matching.labels = this.parseGroupingLabels();
      const group = this.peek();
      if (group.type === "GROUP_LEFT" || group.type === "GROUP_RIGHT") {
        this.next();
        matching.card = group.type === "GROUP_LEFT" ? "many-to-one" : "one-to-many";
        // A label list is optional here, so `(` after group_left always starts one;
        // what can start neither a list nor an operand is an error about the list.
        const after = this.peek().type;
        if (after === "LEFT_PAREN" || !EXPR_START.has(after))
          matching.include = this.parseGroupingLabels();
      }
    }
    return { returnBool, matching };
  }

  parseGroupingLabels(): string[] {
    const ctx = (expected: string) => ({ context: "grouping opts", expected });
    this.expect("LEFT_PAREN", ctx('"("'));
    const labels: string[] = [];
    if (this.peek().type !== "RIGHT_PAREN") {
      for (;;) {
        const tok = this.peek();
        if (!LABEL_TOKENS.has(tok.type) || !isLabelName(tok.val)) {
          this.unexpected(tok, ctx("label"));
        }
        this.next();
        labels.push(tok.val);
        const sep = this.peek();
        if (sep.type === "RIGHT_PAREN") break;
        if (sep.type !== "COMMA") this.unexpected(sep, ctx('"," or ")"'));
        this.next();
        if (this.peek().type === "RIGHT_PAREN") break;
      }
    }
    this.next();
    return labels;
  }

  /** `(` args `)`, returning the arguments and the offset just past the `)`. */
  parseCallBody(): { args: Expr[]; end: number } {
    this.expect("LEFT_PAREN");
    const args: Expr[] = [];
    if (this.peek().type !== "RIGHT_PAREN") {
      for (;;) {
        args.push(this.parseExpr(0));
        const sep = this.peek();
        if (sep.type !== "COMMA") break;
        this.next();
        if (!EXPR_START.has(this.peek().type)) {
          this.fail(posOf(sep), "trailing commas not allowed in function call args");
        }
      }
    }
    const close = this.expect("RIGHT_PAREN");
    return { args, end: close.pos + 1 };
  }

  parseCall(): Call {
    const name = this.next();
    const { args, end } = this.parseCallBody();
    // Checked once the call is read, as Prometheus does: an error in the arguments wins.
    if (!FUNCTIONS.has(name.val)) {
      this.fail(posOf(name), `unknown function with name ${JSON.stringify(name.val)}`);
    }
    return this.nested({ kind: "call", func: name.val, args, pos: { start: name.pos, end } }, args);
  }

  parseAggregate(): Aggregate {
    const opTok = this.next();
    const op = opTok.val.toLowerCase() as AggregateOp;
    return this.within({ context: "aggregation", expected: "" }, () => {
      let grouping: string[] = [];
      let without = false;
      let hasModifier = false;
      const modifier = () => {
        const t = this.peek().type;
        if (t !== "BY" && t !== "WITHOUT") return;
        this.next();
        without = t === "WITHOUT";
        grouping = this.parseGroupingLabels();
        hasModifier = true;
      };
      modifier();
      const body = this.parseCallBody();
      let end = body.end;
      if (!hasModifier) {
        const before = this.i;
        modifier();
        if (this.i !== before) end = this.tokens[this.i - 1]!.pos + 1;
      }
      const pos = { start: opTok.pos, end };
      const { args } = body;
      if (args.length === 0) this.fail(pos, "no arguments for aggregate expression provided");
      const withParam =
        op === "topk" || op === "bottomk" || op === "quantile" || op === "count_values";
      const want = withParam ? 2 : 1;
      if (args.length !== want) {
        this.fail(
          pos,
          `wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`,
        );
      }
      const aggregate: Aggregate = {
        kind: "aggregate",
        op,
        expr: args[want - 1]!,
        param: withParam ? args[0] : undefined,
        grouping,
        without,
        pos,
      };
      return this.nested(aggregate, args);
    });
  }

  // Prometheus's checkAST: the type rules, run over the whole tree once it parsed. It
  // returns each node's type as it goes (exprType would walk every subtree again).
  check(e: Expr): ValueType {
    switch (e.kind) {
      case "number":
        return "scalar";
      case "string":
        return "string";
      case "aggregate":
        this.expectType(e.expr, "vector", "aggregation expression");
        if (e.op === "topk" || e.op === "bottomk" || e.op === "quantile") {
          this.expectType(e.param!, "scalar", "aggregation parameter");
        }
        if (e.op === "count_values") this.expectType(e.param!, "string", "aggregation parameter");
        return "vector";
      case "binary":
        return this.checkBinary(e);
      case "call":
        return this.checkCall(e);
      case "paren":
        return this.check(e.expr);
      case "unary": {
        const t = this.check(e.expr);
        if (t !== "scalar" && t !== "vector") {
          this.fail(
            e.pos,
            `unary expression only allowed on expressions of type scalar or instant vector, got ${JSON.stringify(DOCUMENTED[t])}`,
          );
        }
        return t;
      }
      case "subquery": {
        const t = this.check(e.expr);
        if (t !== "vector") {
          this.fail(e.pos, `subquery is only allowed on instant vector, got ${t} instead`);
        }
        return "matrix";
      }
      case "matrixSelector":
        this.check(e.vector);
        return "matrix";
      case "vectorSelector":
        this.checkSelector(e);
        return "vector";
    }
  }

  expectType(e: Expr, want: ValueType, context: string): void {
    const t = this.check(e);
    if (t !== want) {
      this.fail(e.pos, `expected type ${DOCUMENTED[want]} in ${context}, got ${DOCUMENTED[t]}`);
    }
  }

  checkSelector(vs: VectorSelector): void {
    if (vs.name !== undefined) {
      for (const m of vs.matchers.slice(0, -1)) {
        if (m.name === "__name__") {
          this.fail(
            vs.pos,
            `metric name must not be set twice: ${JSON.stringify(vs.name)} or ${JSON.stringify(m.value)}`,
          );
        }
      }
      return;
    }
    // At least one matcher must refuse the empty string, so a typo cannot select
    // every series there is.
    if (!vs.matchers.some((m) => !matcherTest(m)(""))) {
      this.fail(vs.pos, "vector selector must contain at least one non-empty matcher");
    }
  }

  checkCall(e: Call): ValueType {
    const def = FUNCTIONS.get(e.func)!;
    const nargs = def.argTypes.length;
    const got = e.args.length;
    if (def.variadic === 0) {
      if (nargs !== got) {
        this.fail(
          e.pos,
          `expected ${nargs} argument(s) in call to ${JSON.stringify(def.name)}, got ${got}`,
        );
      }
    } else {
      const min = nargs - 1;
      if (min > got) {
        this.fail(
          e.pos,
          `expected at least ${min} argument(s) in call to ${JSON.stringify(def.name)}, got ${got}`,
        );
      }
      if (def.variadic > 0 && min + def.variadic < got) {
        this.fail(
          e.pos,
          `expected at most ${min + def.variadic} argument(s) in call to ${JSON.stringify(def.name)}, got ${got}`,
        );
      }
    }
    e.args.forEach((arg, i) => {
      if (i >= nargs && def.variadic === 0) return;
      const want = def.argTypes[Math.min(i, nargs - 1)]!;
      this.expectType(arg, want, `call to function ${JSON.stringify(def.name)}`);
    });
    return def.returnType;
  }

  checkBinary(e: Binary): ValueType {
    const lt = this.check(e.lhs);
    const rt = this.check(e.rhs);
    // The operator itself, for errors about it: from the end of the left side to the
    // start of the right side, without the spaces around.
    const opPos = (): Pos => {
      let start = e.lhs.pos.end;
      while (isSpaceAt(this.query, start)) start++;
      let end = e.rhs.pos.start - 1;
      while (isSpaceAt(this.query, end)) end--;
      return { start, end: end + 1 };
    };
    const isComparison = COMPARISONS.has(e.op);
    const isSet = SET_OPERATORS.has(e.op);
    const m = e.matching!;
    if (e.returnBool && !isComparison)
      this.fail(opPos(), "bool modifier can only be used on comparison operators");
    if (isComparison && !e.returnBool && lt === "scalar" && rt === "scalar") {
      this.fail(opPos(), "comparisons between scalars must use BOOL modifier");
    }
    if (isSet && m.card === "one-to-one") m.card = "many-to-many";
    if (m.on) {
      for (const l of m.labels) {
        if (m.include.includes(l)) {
          this.fail(
            opPos(),
            `label ${JSON.stringify(l)} must not occur in ON and GROUP clause at once`,
          );
        }
      }
    }
    if (lt !== "scalar" && lt !== "vector") {
      this.fail(e.lhs.pos, "binary expression must contain only scalar and instant vector types");
    }
    if (rt !== "scalar" && rt !== "vector") {
      this.fail(e.rhs.pos, "binary expression must contain only scalar and instant vector types");
    }
    if (lt !== "vector" || rt !== "vector") {
      if (m.labels.length > 0)
        this.fail(e.pos, "vector matching only allowed between instant vectors");
      e.matching = undefined;
    } else if (isSet) {
      if (m.card === "one-to-many" || m.card === "many-to-one") {
        this.fail(e.pos, `no grouping allowed for ${JSON.stringify(e.op)} operation`);
      }
    }
    if ((lt === "scalar" || rt === "scalar") && isSet) {
      this.fail(
        e.pos,
        `set operator ${JSON.stringify(e.op)} not allowed in binary scalar expression`,
      );
    }
    return lt === "scalar" && rt === "scalar" ? "scalar" : "vector";
  }
}

function isSpaceAt(s: string, i: number): boolean {
  const c = s[i];
  return c === " " || c === "\t" || c === "\n" || c === "\r";
}

/** Go's math.Round: halves away from zero (Math.round takes -2.5 to -2). */
export function roundHalfAwayFromZero(v: number): number {
  return Math.sign(v) * Math.round(Math.abs(v));
}

// Go's %f, for the out-of-range timestamps it is used on (Inf, NaN, |v| >= 2^63).
function goFixed6(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (Math.abs(v) >= 1e21) return `${BigInt(v)}.000000`;
  return v.toFixed(6);
}

/**
 * Parses a whole PromQL expression and type-checks it as Prometheus 2.42 does.
 * Throws PromQLParseError with Prometheus's message for the first problem.
 */
export function parseExpr(query: string): Expr {
  const p = new Parser(query);
  const e = p.parseQuery();
  p.check(e);
  return e;
}

/**
 * Parses a bare vector selector (`up`, `{job="x"}`, `http_requests_total{code=~"5.."}`)
 * as /api/v1/series's `match[]` takes one, returning its matchers (the name as a
 * `__name__` matcher, last). Like Prometheus's ParseMetricSelector it does not insist
 * on a non-empty matcher; the API refuses a set that has none.
 */
export function parseMetricSelector(s: string): LabelMatcher[] {
  return new Parser(s).parseSelectorOnly().matchers;
}
