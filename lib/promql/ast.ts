// The PromQL syntax tree: what the parser produces and the evaluator walks.
// Shapes follow Prometheus's promql/parser/ast.go; positions are character offsets
// into the query text so an error can point at the part of the query it is about.

export type Pos = { start: number; end: number };

export type ValueType = "scalar" | "vector" | "matrix" | "string";

export type MatchOp = "=" | "!=" | "=~" | "!~";

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

/** `@ <time>` (milliseconds), `@ start()` or `@ end()`. */
export type AtModifier = number | "start" | "end";

export type AggregateOp =
  | "sum"
  | "avg"
  | "min"
  | "max"
  | "count"
  | "group"
  | "stddev"
  | "stdvar"
  | "topk"
  | "bottomk"
  | "quantile"
  | "count_values";

export type BinaryOp =
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "^"
  | "atan2"
  | "=="
  | "!="
  | ">"
  | "<"
  | ">="
  | "<="
  | "and"
  | "or"
  | "unless";

export type Cardinality = "one-to-one" | "many-to-one" | "one-to-many" | "many-to-many";

/** How two vectors' elements are paired (`on`/`ignoring`, `group_left`/`group_right`). */
export interface VectorMatching {
  card: Cardinality;
  /** true for `on(...)`, false for `ignoring(...)` or no clause. */
  on: boolean;
  labels: string[];
  /** The labels named in `group_left(...)` / `group_right(...)`. */
  include: string[];
}

export interface NumberLiteral {
  kind: "number";
  value: number;
  pos: Pos;
}

export interface StringLiteral {
  kind: "string";
  value: string;
  pos: Pos;
}

export interface VectorSelector {
  kind: "vectorSelector";
  /** The metric name if written before the braces; it is also in `matchers` as `__name__`. */
  name: string | undefined;
  /** Every matcher, the `__name__` one included. */
  matchers: LabelMatcher[];
  offsetMs: number;
  at: AtModifier | undefined;
  pos: Pos;
}

export interface MatrixSelector {
  kind: "matrixSelector";
  vector: VectorSelector;
  rangeMs: number;
  pos: Pos;
}

export interface Subquery {
  kind: "subquery";
  expr: Expr;
  rangeMs: number;
  /** undefined: the global evaluation interval (the range query's step, or 1 m). */
  stepMs: number | undefined;
  offsetMs: number;
  at: AtModifier | undefined;
  pos: Pos;
}

export interface Call {
  kind: "call";
  func: string;
  args: Expr[];
  pos: Pos;
}

export interface Aggregate {
  kind: "aggregate";
  op: AggregateOp;
  expr: Expr;
  /** The parameter of topk, bottomk, quantile and count_values. */
  param: Expr | undefined;
  grouping: string[];
  without: boolean;
  pos: Pos;
}

export interface Binary {
  kind: "binary";
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  /** `bool` after a comparison operator. */
  returnBool: boolean;
  /** Set when both sides are vectors. */
  matching: VectorMatching | undefined;
  pos: Pos;
}

export interface Unary {
  kind: "unary";
  op: "+" | "-";
  expr: Expr;
  pos: Pos;
}

export interface Paren {
  kind: "paren";
  expr: Expr;
  pos: Pos;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | Subquery
  | Call
  | Aggregate
  | Binary
  | Unary
  | Paren;
