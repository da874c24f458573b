// Label-set helpers for the evaluator. A label set is a plain object; Prometheus treats
// a label with an empty value as absent, so every helper here does too.

import type { Labels } from "./storage";

export const METRIC_NAME = "__name__";

/** The empty label set of scalars and vector(): one object, so one cache entry. */
export const NO_LABELS: Labels = Object.freeze({});

const SEP = "\xff";
const keys = new WeakMap<Labels, string>();

const names = new WeakMap<Labels, readonly string[]>();

/** The names of the labels that have a value, sorted; once per label object (they are not changed). */
function sortedNames(l: Labels): readonly string[] {
  let out = names.get(l);
  if (out === undefined) {
    out = Object.keys(l)
      .filter((n) => l[n] !== "")
      .sort();
    names.set(l, out);
  }
  return out;
}

/** An identity for a label set: equal for equal sets whatever the key order. */
export function labelsKey(l: Labels): string {
  let k = keys.get(l);
  if (k === undefined) {
    k = "";
    for (const n of sortedNames(l)) k += n + SEP + l[n] + SEP;
    keys.set(l, k);
  }
  return k;
}

const withoutName = new WeakMap<Labels, Labels>();

/**
 * The same labels without `__name__` (the same object when there is none). One series
 * gets one result object at every step: label objects that stay the same are what keep
 * labelsKey's cache small (a new object a step would be a new cache entry a step).
 */
export function dropMetricName(l: Labels): Labels {
  if (!l[METRIC_NAME]) return l;
  let out = withoutName.get(l);
  if (!out) {
    const { [METRIC_NAME]: _, ...rest } = l;
    out = rest;
    withoutName.set(l, out);
  }
  return out;
}

/** Per-node memory of derived label sets, so each is built once, not once a step. */
export class LabelsCache<K extends object = Labels> {
  private readonly byInput = new WeakMap<K, Labels>();
  private readonly byKey = new Map<string, Labels>();

  of(input: K, make: (input: K) => Labels): Labels {
    let out = this.byInput.get(input);
    if (!out) {
      out = make(input);
      this.byInput.set(input, out);
    }
    return out;
  }

  /** The one label object for `key`, made the first time it is asked for. */
  keyed(key: string, make: () => Labels): Labels {
    let out = this.byKey.get(key);
    if (!out) {
      out = make();
      this.byKey.set(key, out);
    }
    return out;
  }
}

/** The key of only `names` (`on`/`by`), or of every label but `names` and `__name__`. */
export function signature(l: Labels, on: boolean, names: readonly string[]): string {
  let k = "";
  if (on) {
    for (const n of [...names].sort()) {
      const v = l[n];
      if (v) k += n + SEP + v + SEP;
    }
    return k;
  }
  for (const n of sortedNames(l)) {
    if (n === METRIC_NAME || names.includes(n)) continue;
    k += n + SEP + l[n] + SEP;
  }
  return k;
}

/** Prometheus's labels.Compare: label by label in name order, then the shorter first. */
export function compareLabels(a: Labels, b: Labels): number {
  const an = sortedNames(a);
  const bn = sortedNames(b);
  const n = Math.min(an.length, bn.length);
  for (let i = 0; i < n; i++) {
    const x = an[i]!;
    const y = bn[i]!;
    if (x !== y) return x < y ? -1 : 1;
    const xv = a[x]!;
    const yv = b[y]!;
    if (xv !== yv) return xv < yv ? -1 : 1;
  }
  return an.length - bn.length;
}

/** `{a="1", b="2"}` as Prometheus prints a label set in error messages. */
export function formatLabels(l: Labels): string {
  return `{${sortedNames(l)
    .map((n) => `${n}=${JSON.stringify(l[n])}`)
    .join(", ")}}`;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}
