// Binary operators between scalars and vectors, as Prometheus 2.42's engine.go
// (VectorBinop, VectorAnd/Or/Unless, VectorscalarBinop, scalarBinop).

import type { BinaryOp, VectorMatching } from "./ast";
import { dropMetricName, formatLabels, LabelsCache, labelsKey, METRIC_NAME } from "./eval-labels";
import { execError, type Vector } from "./eval-types";
import type { Labels } from "./storage";

/** Go's math.Pow: x**y differs where Go fixes 1**y and (-1)**±Inf at 1. */
export function goPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return x ** y;
}

function isComparison(op: BinaryOp): boolean {
  return op === "==" || op === "!=" || op === ">" || op === "<" || op === ">=" || op === "<=";
}

/** Arithmetic drops the metric name; comparisons and set operators keep it. */
function dropsName(op: BinaryOp): boolean {
  return op === "+" || op === "-" || op === "*" || op === "/" || op === "^" || op === "%";
}

/** The value of `l op r`, and whether a comparison holds (always true for arithmetic). */
function elemBinop(op: BinaryOp, l: number, r: number): [number, boolean] {
  switch (op) {
    case "+":
      return [l + r, true];
    case "-":
      return [l - r, true];
    case "*":
      return [l * r, true];
    case "/":
      return [l / r, true];
    case "^":
      return [goPow(l, r), true];
    // JS's % is IEEE fmod with the dividend's sign, as Go's math.Mod.
    case "%":
      return [l % r, true];
    case "atan2":
      return [Math.atan2(l, r), true];
    case "==":
      return [l, l === r];
    case "!=":
      return [l, l !== r];
    case ">":
      return [l, l > r];
    case "<":
      return [l, l < r];
    case ">=":
      return [l, l >= r];
    case "<=":
      return [l, l <= r];
    default:
      throw execError(`operator "${op}" not allowed for operations between vectors`);
  }
}

export function scalarBinop(op: BinaryOp, l: number, r: number): number {
  const [v, keep] = elemBinop(op, l, r);
  return isComparison(op) ? (keep ? 1 : 0) : v;
}

export function vectorScalarBinop(
  op: BinaryOp,
  vec: Vector,
  scalar: number,
  scalarOnLeft: boolean,
  returnBool: boolean,
): Vector {
  const out: Vector = [];
  const drop = dropsName(op) || returnBool;
  for (const s of vec) {
    const [l, r] = scalarOnLeft ? [scalar, s.v] : [s.v, scalar];
    let [v, keep] = elemBinop(op, l, r);
    // A filter keeps the vector element's value even when the scalar is on the left.
    if (isComparison(op) && scalarOnLeft) v = r;
    if (returnBool) {
      v = keep ? 1 : 0;
      keep = true;
    }
    if (keep) out.push({ labels: drop ? dropMetricName(s.labels) : s.labels, v, t: s.t });
  }
  return out;
}

type SigOf = (i: number) => string;

export function vectorAnd(lhs: Vector, rhs: Vector, lsig: SigOf, rsig: SigOf): Vector {
  if (lhs.length === 0 || rhs.length === 0) return [];
  const right = new Set(rhs.map((_, i) => rsig(i)));
  return lhs.filter((_, i) => right.has(lsig(i)));
}

export function vectorOr(lhs: Vector, rhs: Vector, lsig: SigOf, rsig: SigOf): Vector {
  if (lhs.length === 0) return [...rhs];
  if (rhs.length === 0) return [...lhs];
  const left = new Set(lhs.map((_, i) => lsig(i)));
  return [...lhs, ...rhs.filter((_, i) => !left.has(rsig(i)))];
}

export function vectorUnless(lhs: Vector, rhs: Vector, lsig: SigOf, rsig: SigOf): Vector {
  if (lhs.length === 0 || rhs.length === 0) return [...lhs];
  const right = new Set(rhs.map((_, i) => rsig(i)));
  return lhs.filter((_, i) => !right.has(lsig(i)));
}

function matchLabels(l: Labels, m: VectorMatching): Labels {
  const out: Labels = {};
  for (const [n, v] of Object.entries(l)) {
    const listed = m.labels.includes(n);
    if (m.on ? listed : !listed && n !== METRIC_NAME) out[n] = v;
  }
  return out;
}

function resultLabels(l: Labels, r: Labels, op: BinaryOp, m: VectorMatching): Labels {
  let out: Labels = dropsName(op) ? dropMetricName(l) : { ...l };
  if (m.card === "one-to-one") {
    if (m.on) {
      const kept: Labels = {};
      for (const n of m.labels) if (out[n]) kept[n] = out[n];
      out = kept;
    } else {
      out = { ...out };
      for (const n of m.labels) delete out[n];
    }
  }
  if (m.include.length > 0) {
    out = { ...out };
    // Labels named in group_x(...) come from the "one" side.
    for (const n of m.include) {
      if (r[n]) out[n] = r[n];
      else delete out[n];
    }
  }
  return out;
}

export function vectorBinop(
  op: BinaryOp,
  lhsIn: Vector,
  rhsIn: Vector,
  m: VectorMatching,
  returnBool: boolean,
  lsigIn: SigOf,
  rsigIn: SigOf,
  cache: LabelsCache = new LabelsCache(),
): Vector {
  if (lhsIn.length === 0 || rhsIn.length === 0) return [];
  // One-to-many is many-to-one with the sides swapped back when computing the value.
  const swapped = m.card === "one-to-many";
  const [lhs, rhs, lsig, rsig] = swapped
    ? [rhsIn, lhsIn, rsigIn, lsigIn]
    : [lhsIn, rhsIn, lsigIn, rsigIn];

  const right = new Map<string, Vector[number]>();
  rhs.forEach((rs, i) => {
    const sig = rsig(i);
    const dup = right.get(sig);
    if (dup) {
      throw execError(
        `found duplicate series for the match group ${formatLabels(matchLabels(rs.labels, m))} on the ${
          swapped ? "left" : "right"
        } hand-side of the operation: [${formatLabels(rs.labels)}, ${formatLabels(dup.labels)}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    right.set(sig, rs);
  });

  const matched = new Map<string, Set<string> | null>();
  const out: Vector = [];
  lhs.forEach((ls, i) => {
    const sig = lsig(i);
    const rs = right.get(sig);
    if (!rs) return;
    const [vl, vr] = swapped ? [rs.v, ls.v] : [ls.v, rs.v];
    const [value, keep] = elemBinop(op, vl, vr);
    if (!returnBool && !keep) return;
    const v = returnBool ? (keep ? 1 : 0) : value;
    let labels = cache.keyed(`${labelsKey(ls.labels)}|${labelsKey(rs.labels)}`, () =>
      resultLabels(ls.labels, rs.labels, op, m),
    );
    if (returnBool) labels = dropMetricName(labels);
    const seen = matched.get(sig);
    if (m.card === "one-to-one") {
      if (seen !== undefined) {
        throw execError(
          "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)",
        );
      }
      matched.set(sig, null);
    } else {
      const key = labelsKey(labels);
      if (!seen) {
        matched.set(sig, new Set([key]));
      } else if (seen.has(key)) {
        throw execError("multiple matches for labels: grouping labels must ensure unique matches");
      } else {
        seen.add(key);
      }
    }
    out.push({ labels, v, t: ls.t });
  });
  return out;
}
