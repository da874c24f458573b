// The PromQL lexer. It follows Prometheus 2.42's promql/parser/lex.go state for state,
// because which text is one token (and what an error says) is part of the language:
// `[` switches to durations, `{` to label names (where keywords are plain names), a
// number running into a letter is a duration, and a lexer error ends the input there.

export type TokenType =
  | "EOF"
  | "ERROR"
  | "COMMENT"
  | "IDENTIFIER"
  | "METRIC_IDENTIFIER"
  | "NUMBER"
  | "STRING"
  | "DURATION"
  | "LEFT_PAREN"
  | "RIGHT_PAREN"
  | "LEFT_BRACE"
  | "RIGHT_BRACE"
  | "LEFT_BRACKET"
  | "RIGHT_BRACKET"
  | "COMMA"
  | "COLON"
  | "EQL"
  // Operators.
  | "ADD"
  | "SUB"
  | "MUL"
  | "DIV"
  | "MOD"
  | "POW"
  | "EQLC"
  | "NEQ"
  | "LTE"
  | "LSS"
  | "GTE"
  | "GTR"
  | "EQL_REGEX"
  | "NEQ_REGEX"
  | "LAND"
  | "LOR"
  | "LUNLESS"
  | "ATAN2"
  | "AT"
  // Aggregators.
  | "AVG"
  | "BOTTOMK"
  | "COUNT"
  | "COUNT_VALUES"
  | "GROUP"
  | "MAX"
  | "MIN"
  | "QUANTILE"
  | "STDDEV"
  | "STDVAR"
  | "SUM"
  | "TOPK"
  // Keywords.
  | "BOOL"
  | "BY"
  | "GROUP_LEFT"
  | "GROUP_RIGHT"
  | "IGNORING"
  | "OFFSET"
  | "ON"
  | "WITHOUT"
  // @ modifier preprocessors.
  | "START"
  | "END";

export interface Token {
  type: TokenType;
  /** Offset of the token's first character in the query. */
  pos: number;
  /** The token's text; for ERROR, the error message. */
  val: string;
}

const KEYWORDS: ReadonlyMap<string, TokenType> = new Map<string, TokenType>([
  ["and", "LAND"],
  ["or", "LOR"],
  ["unless", "LUNLESS"],
  ["atan2", "ATAN2"],
  ["sum", "SUM"],
  ["avg", "AVG"],
  ["count", "COUNT"],
  ["min", "MIN"],
  ["max", "MAX"],
  ["group", "GROUP"],
  ["stddev", "STDDEV"],
  ["stdvar", "STDVAR"],
  ["topk", "TOPK"],
  ["bottomk", "BOTTOMK"],
  ["count_values", "COUNT_VALUES"],
  ["quantile", "QUANTILE"],
  ["offset", "OFFSET"],
  ["by", "BY"],
  ["without", "WITHOUT"],
  ["on", "ON"],
  ["ignoring", "IGNORING"],
  ["group_left", "GROUP_LEFT"],
  ["group_right", "GROUP_RIGHT"],
  ["bool", "BOOL"],
  ["start", "START"],
  ["end", "END"],
  // Inf and NaN are numbers wherever a keyword could stand.
  ["inf", "NUMBER"],
  ["nan", "NUMBER"],
]);

const OPERATORS = new Set<TokenType>([
  "ADD",
  "SUB",
  "MUL",
  "DIV",
  "MOD",
  "POW",
  "EQLC",
  "NEQ",
  "LTE",
  "LSS",
  "GTE",
  "GTR",
  "EQL_REGEX",
  "NEQ_REGEX",
  "LAND",
  "LOR",
  "LUNLESS",
  "ATAN2",
  "AT",
]);

const AGGREGATORS = new Set<TokenType>([
  "AVG",
  "BOTTOMK",
  "COUNT",
  "COUNT_VALUES",
  "GROUP",
  "MAX",
  "MIN",
  "QUANTILE",
  "STDDEV",
  "STDVAR",
  "SUM",
  "TOPK",
]);

const KEYWORD_TYPES = new Set<TokenType>([
  "BOOL",
  "BY",
  "GROUP_LEFT",
  "GROUP_RIGHT",
  "IGNORING",
  "OFFSET",
  "ON",
  "WITHOUT",
]);

/** Go's ItemTypeStr: the token types with a fixed spelling. AT has none in 2.42. */
const FIXED_TEXT: ReadonlyMap<TokenType, string> = new Map<TokenType, string>([
  ["LEFT_PAREN", "("],
  ["RIGHT_PAREN", ")"],
  ["LEFT_BRACE", "{"],
  ["RIGHT_BRACE", "}"],
  ["LEFT_BRACKET", "["],
  ["RIGHT_BRACKET", "]"],
  ["COMMA", ","],
  ["EQL", "="],
  ["COLON", ":"],
  ["SUB", "-"],
  ["ADD", "+"],
  ["MUL", "*"],
  ["MOD", "%"],
  ["DIV", "/"],
  ["EQLC", "=="],
  ["NEQ", "!="],
  ["LTE", "<="],
  ["LSS", "<"],
  ["GTE", ">="],
  ["GTR", ">"],
  ["EQL_REGEX", "=~"],
  ["NEQ_REGEX", "!~"],
  ["POW", "^"],
  ...[...KEYWORDS].filter(([, t]) => t !== "NUMBER").map(([s, t]) => [t, s] as [TokenType, string]),
]);

export function isOperatorToken(t: TokenType): boolean {
  return OPERATORS.has(t);
}

export function isAggregatorToken(t: TokenType): boolean {
  return AGGREGATORS.has(t);
}

/** Go's `%q` of a string: what Prometheus prints string literals and label values with. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (isGoPrint(ch)) out += ch;
    else if (c === 7) out += "\\a";
    else if (c === 8) out += "\\b";
    else if (c === 12) out += "\\f";
    else if (c === 10) out += "\\n";
    else if (c === 13) out += "\\r";
    else if (c === 9) out += "\\t";
    else if (c === 11) out += "\\v";
    else if (c < 0x80) out += "\\x" + c.toString(16).padStart(2, "0");
    else if (c < 0x10000) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += "\\U" + c.toString(16).padStart(8, "0");
  }
  return out + '"';
}

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function isGoPrint(ch: string): boolean {
  return PRINTABLE.test(ch);
}

/** Go's `%q` of a rune, as lexer errors quote the character they stopped at. */
function quoteRune(ch: string): string {
  if (ch === "'") return "'\\''";
  const q = goQuote(ch);
  return "'" + q.slice(1, -1).replace(/\\"/g, '"') + "'";
}

/** How a parse error names a token (Go's Item.desc). */
export function describeToken(tok: Token): string {
  if (FIXED_TEXT.has(tok.type)) return tokenString(tok);
  switch (tok.type) {
    case "EOF":
      return "end of input";
    case "IDENTIFIER":
      return `identifier ${tokenString(tok)}`;
    case "METRIC_IDENTIFIER":
      return `metric identifier ${tokenString(tok)}`;
    case "STRING":
      return `string ${tokenString(tok)}`;
    case "NUMBER":
      return `number ${tokenString(tok)}`;
    case "DURATION":
      return `duration ${tokenString(tok)}`;
    case "ERROR":
      return `error ${tokenString(tok)}`;
    default:
      // Types without a spelling print as Go's "<Item N>" (only AT reaches here).
      return `"<Item ${tok.type === "AT" ? 57385 : 0}>" ${tokenString(tok)}`;
  }
}

// Go's Item.String.
function tokenString(tok: Token): string {
  if (tok.type === "EOF") return "EOF";
  if (tok.type === "IDENTIFIER" || tok.type === "METRIC_IDENTIFIER") return goQuote(tok.val);
  if (KEYWORD_TYPES.has(tok.type)) return `<${tok.val}>`;
  if (OPERATORS.has(tok.type)) return `<op:${tok.val}>`;
  if (AGGREGATORS.has(tok.type)) return `<aggr:${tok.val}>`;
  // Go's `%.10q...`: at most ten characters of a long token, quoted. The length test
  // counts UTF-8 bytes as Go's len does.
  if (new TextEncoder().encode(tok.val).length > 10) {
    return goQuote([...tok.val].slice(0, 10).join("")) + "...";
  }
  return goQuote(tok.val);
}

const isSpace = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\r";
const isDigit = (c: string) => c >= "0" && c <= "9";
const isAlpha = (c: string) => c === "_" || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
const isAlphaNumeric = (c: string) => isAlpha(c) || isDigit(c);

/** Whether `s` is a valid label name (Go's isLabel). */
export function isLabelName(s: string): boolean {
  if (s.length === 0 || !isAlpha(s[0]!)) return false;
  for (const c of s.slice(1)) if (!isAlphaNumeric(c)) return false;
  return true;
}

const EOF_CHAR = "";
// Go decodes invalid UTF-8 to utf8.RuneError and the lexer refuses it; a JavaScript
// string has no invalid bytes, but a lone surrogate or U+FFFD itself is the same thing.
const isRuneError = (c: string) =>
  c === "\uFFFD" || (c.length === 1 && c >= "\uD800" && c <= "\uDFFF");

type State = ((l: Lexer) => State) | null;

class Lexer {
  readonly input: string;
  pos = 0;
  start = 0;
  width = 0;
  state: State = lexStatements;
  tokens: Token[] = [];
  scanned = false;
  parenDepth = 0;
  braceOpen = false;
  bracketOpen = false;
  gotColon = false;
  stringOpen = "";

  constructor(input: string) {
    this.input = input;
  }

  next(): string {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF_CHAR;
    }
    const cp = this.input.codePointAt(this.pos)!;
    const ch = String.fromCodePoint(cp);
    this.width = ch.length;
    this.pos += this.width;
    return ch;
  }

  peek(): string {
    const c = this.next();
    this.backup();
    return c;
  }

  backup(): void {
    this.pos -= this.width;
  }

  emit(type: TokenType): void {
    this.tokens.push({ type, pos: this.start, val: this.input.slice(this.start, this.pos) });
    this.start = this.pos;
    this.scanned = true;
  }

  ignore(): void {
    this.start = this.pos;
  }

  accept(valid: string): boolean {
    const c = this.next();
    if (c !== EOF_CHAR && valid.includes(c)) return true;
    this.backup();
    return false;
  }

  acceptRun(valid: string): void {
    for (;;) {
      const c = this.next();
      if (c === EOF_CHAR || !valid.includes(c)) break;
    }
    this.backup();
  }

  errorf(message: string): State {
    this.tokens.push({ type: "ERROR", pos: this.start, val: message });
    this.scanned = true;
    return null;
  }

  /** Scans a number; false if it runs into a letter or digit (then it may be a duration). */
  scanNumber(): boolean {
    let digits = "0123456789";
    if (this.accept("0") && this.accept("xX")) digits = "0123456789abcdefABCDEF";
    this.acceptRun(digits);
    if (this.accept(".")) this.acceptRun(digits);
    if (this.accept("eE")) {
      this.accept("+-");
      this.acceptRun("0123456789");
    }
    return !isAlphaNumeric(this.peek());
  }
}

function openString(l: Lexer, r: string): State | undefined {
  if (r !== '"' && r !== "'" && r !== "`") return undefined;
  l.stringOpen = r;
  return r === "`" ? lexRawString : lexString;
}

// Characters that are a token by themselves outside braces.
const SINGLE_CHAR: ReadonlyMap<string, TokenType> = new Map<string, TokenType>([
  [",", "COMMA"],
  ["*", "MUL"],
  ["/", "DIV"],
  ["%", "MOD"],
  ["+", "ADD"],
  ["-", "SUB"],
  ["^", "POW"],
  ["@", "AT"],
]);

function lexStatements(l: Lexer): State {
  if (l.braceOpen) return lexInsideBraces;
  if (l.input.startsWith("#", l.pos)) return lexLineComment;

  const r = l.next();
  if (r === EOF_CHAR) {
    if (l.parenDepth !== 0) return l.errorf("unclosed left parenthesis");
    if (l.bracketOpen) return l.errorf("unclosed left bracket");
    l.emit("EOF");
    return null;
  }
  const quoted = openString(l, r);
  if (quoted) return quoted;
  const single = SINGLE_CHAR.get(r);
  if (single) {
    l.emit(single);
    return lexStatements;
  }
  switch (r) {
    case "=": {
      const t = l.peek();
      if (t === "=") {
        l.next();
        l.emit("EQLC");
      } else if (t === "~") {
        return l.errorf(`unexpected character after '=': ${quoteRune(t)}`);
      } else {
        l.emit("EQL");
      }
      return lexStatements;
    }
    case "!": {
      const t = l.next();
      if (t === "=") {
        l.emit("NEQ");
        return lexStatements;
      }
      return l.errorf(`unexpected character after '!': ${quoteRuneOrEof(t)}`);
    }
    case "<":
      if (l.peek() === "=") {
        l.next();
        l.emit("LTE");
      } else l.emit("LSS");
      return lexStatements;
    case ">":
      if (l.peek() === "=") {
        l.next();
        l.emit("GTE");
      } else l.emit("GTR");
      return lexStatements;
    case "(":
      l.emit("LEFT_PAREN");
      l.parenDepth++;
      return lexStatements;
    case ")":
      l.parenDepth--;
      if (l.parenDepth < 0) {
        // Go emits the parenthesis and then overwrites it with the error, which is
        // therefore placed just after it.
        l.ignore();
        return l.errorf(`unexpected right parenthesis ${quoteRune(r)}`);
      }
      l.emit("RIGHT_PAREN");
      return lexStatements;
    case "{":
      l.emit("LEFT_BRACE");
      l.braceOpen = true;
      return lexInsideBraces;
    case "[":
      if (l.bracketOpen) return l.errorf(`unexpected left bracket ${quoteRune(r)}`);
      l.gotColon = false;
      l.emit("LEFT_BRACKET");
      while (isSpace(l.peek())) l.next();
      l.ignore();
      l.bracketOpen = true;
      return lexDuration;
    case "]":
      if (!l.bracketOpen) return l.errorf(`unexpected right bracket ${quoteRune(r)}`);
      l.emit("RIGHT_BRACKET");
      l.bracketOpen = false;
      return lexStatements;
  }
  if (isSpace(r)) return lexSpace;
  if (isDigit(r) || (r === "." && isDigit(l.peek()))) {
    l.backup();
    return lexNumberOrDuration;
  }
  if (isAlpha(r) || r === ":") {
    if (!l.bracketOpen) {
      l.backup();
      return lexKeywordOrIdentifier;
    }
    // Inside brackets Prometheus takes any letter for the subquery colon.
    if (l.gotColon) return l.errorf(`unexpected colon ${quoteRune(r)}`);
    l.emit("COLON");
    l.gotColon = true;
    return lexStatements;
  }
  return l.errorf(`unexpected character: ${quoteRune(r)}`);
}

function quoteRuneOrEof(c: string): string {
  // Go's %q of the eof rune (-1) is the replacement character.
  return c === EOF_CHAR ? "'�'" : quoteRune(c);
}

function lexInsideBraces(l: Lexer): State {
  if (l.input.startsWith("#", l.pos)) return lexLineComment;
  const r = l.next();
  if (r === EOF_CHAR) return l.errorf("unexpected end of input inside braces");
  if (isSpace(r)) return lexSpace;
  if (isAlpha(r)) {
    l.backup();
    return lexIdentifier;
  }
  const quoted = openString(l, r);
  if (quoted) return quoted;
  switch (r) {
    case ",":
      l.emit("COMMA");
      return lexInsideBraces;
    case "=":
      if (l.next() === "~") {
        l.emit("EQL_REGEX");
        return lexInsideBraces;
      }
      l.backup();
      l.emit("EQL");
      return lexInsideBraces;
    case "!": {
      const nr = l.next();
      if (nr === "~") l.emit("NEQ_REGEX");
      else if (nr === "=") l.emit("NEQ");
      else return l.errorf(`unexpected character after '!' inside braces: ${quoteRuneOrEof(nr)}`);
      return lexInsideBraces;
    }
    case "{":
      return l.errorf(`unexpected left brace ${quoteRune(r)}`);
    case "}":
      l.emit("RIGHT_BRACE");
      l.braceOpen = false;
      return lexStatements;
  }
  return l.errorf(`unexpected character inside braces: ${quoteRune(r)}`);
}

const digitVal = (c: string): number => {
  if (c >= "0" && c <= "9") return c.charCodeAt(0) - 48;
  if (c >= "a" && c <= "f") return c.charCodeAt(0) - 87;
  if (c >= "A" && c <= "F") return c.charCodeAt(0) - 55;
  return 16;
};

// Go's %#U of a rune: U+0078 'x'.
function goUnicode(c: string): string {
  const cp = c === EOF_CHAR ? -1 : c.codePointAt(0)!;
  if (cp < 0) return "U+FFFFFFFFFFFFFFFF";
  const hex = "U+" + cp.toString(16).toUpperCase().padStart(4, "0");
  return isGoPrint(c) ? `${hex} '${c}'` : hex;
}

// Checks an escape sequence; the backslash has been read. Like Go's lexer, an error
// here is recorded and lexing of the string goes on (the parser stops at the error).
function lexEscape(l: Lexer): State {
  let ch = l.next();
  let n: number;
  let base: number;
  let max: number;
  if ("abfnrtv\\".includes(ch) && ch !== EOF_CHAR) return lexString;
  if (ch === l.stringOpen) return lexString;
  if (ch >= "0" && ch <= "7" && ch.length === 1) {
    [n, base, max] = [3, 8, 255];
  } else if (ch === "x") {
    ch = l.next();
    [n, base, max] = [2, 16, 255];
  } else if (ch === "u") {
    ch = l.next();
    [n, base, max] = [4, 16, 0x10ffff];
  } else if (ch === "U") {
    ch = l.next();
    [n, base, max] = [8, 16, 0x10ffff];
  } else if (ch === EOF_CHAR) {
    l.errorf("escape sequence not terminated");
    return lexString;
  } else {
    l.errorf(`unknown escape sequence ${goUnicode(ch)}`);
    return lexString;
  }
  let x = 0;
  while (n > 0) {
    const d = digitVal(ch);
    if (d >= base) {
      if (ch === EOF_CHAR) {
        l.errorf("escape sequence not terminated");
        return lexString;
      }
      l.errorf(`illegal character ${goUnicode(ch)} in escape sequence`);
      return lexString;
    }
    x = x * base + d;
    n--;
    if (n > 0) ch = l.next();
  }
  if (x > max || (x >= 0xd800 && x < 0xe000)) {
    l.errorf("escape sequence is an invalid Unicode code point");
  }
  return lexString;
}

function lexString(l: Lexer): State {
  for (;;) {
    const c = l.next();
    if (c === "\\") return lexEscape;
    if (isRuneError(c)) {
      l.errorf("invalid UTF-8 rune");
      return lexString;
    }
    if (c === EOF_CHAR || c === "\n") return l.errorf("unterminated quoted string");
    if (c === l.stringOpen) break;
  }
  l.emit("STRING");
  return lexStatements;
}

function lexRawString(l: Lexer): State {
  for (;;) {
    const c = l.next();
    if (isRuneError(c)) {
      l.errorf("invalid UTF-8 rune");
      return lexRawString;
    }
    if (c === EOF_CHAR) {
      l.errorf("unterminated raw string");
      return lexRawString;
    }
    if (c === l.stringOpen) break;
  }
  l.emit("STRING");
  return lexStatements;
}

function lexSpace(l: Lexer): State {
  while (isSpace(l.peek())) l.next();
  l.ignore();
  return lexStatements;
}

function lexLineComment(l: Lexer): State {
  l.pos += 1;
  for (let r = l.next(); r !== "\r" && r !== "\n" && r !== EOF_CHAR;) r = l.next();
  l.backup();
  l.emit("COMMENT");
  return lexStatements;
}

function lexDuration(l: Lexer): State {
  if (l.scanNumber()) return l.errorf("missing unit character in duration");
  if (!acceptRemainingDuration(l)) {
    return l.errorf(`bad duration syntax: ${goQuote(l.input.slice(l.start, l.pos))}`);
  }
  l.backup();
  l.emit("DURATION");
  return lexStatements;
}

function lexNumberOrDuration(l: Lexer): State {
  if (l.scanNumber()) {
    l.emit("NUMBER");
    return lexStatements;
  }
  if (acceptRemainingDuration(l)) {
    l.backup();
    l.emit("DURATION");
    return lexStatements;
  }
  return l.errorf(`bad number or duration syntax: ${goQuote(l.input.slice(l.start, l.pos))}`);
}

// A unit, then any number of digit runs each followed by a unit, then a character that
// is not a letter or digit (consumed; the caller backs up). Bad unit orders ("1s1h")
// pass here and fail when the duration is parsed.
function acceptRemainingDuration(l: Lexer): boolean {
  if (!l.accept("smhdwy")) return false;
  l.accept("s");
  while (l.accept("0123456789")) {
    while (l.accept("0123456789")) {
      // consume
    }
    if (!l.accept("smhdw")) return false;
    l.accept("s");
  }
  return !isAlphaNumeric(l.next());
}

function lexIdentifier(l: Lexer): State {
  while (isAlphaNumeric(l.next())) {
    // absorb
  }
  l.backup();
  l.emit("IDENTIFIER");
  return lexStatements;
}

function lexKeywordOrIdentifier(l: Lexer): State {
  for (;;) {
    const r = l.next();
    if (isAlphaNumeric(r) || r === ":") continue;
    l.backup();
    const word = l.input.slice(l.start, l.pos);
    const kw = KEYWORDS.get(word.toLowerCase());
    if (kw) l.emit(kw);
    else if (!word.includes(":")) l.emit("IDENTIFIER");
    else l.emit("METRIC_IDENTIFIER");
    return lexStatements;
  }
}

/**
 * Splits a query into tokens, comments included. The list ends with EOF, or with an
 * ERROR token where Prometheus's lexer would stop (everything before it is kept, so a
 * parser reports whatever error comes first, its own or the lexer's).
 */
export function lex(input: string): Token[] {
  const l = new Lexer(input);
  while (l.state) {
    l.scanned = false;
    while (!l.scanned && l.state) l.state = l.state(l);
    const last = l.tokens[l.tokens.length - 1];
    if (last && last.type === "ERROR") break;
  }
  return l.tokens;
}
