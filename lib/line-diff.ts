/** One line of a diff: kept (" "), removed ("-") or added ("+"). */
export type DiffLine = { op: " " | "-" | "+"; text: string };

/** Past this many cells, the changed middle is shown as removed then added (no LCS table). */
const MAX_TABLE_CELLS = 4_000_000;

/**
 * A line diff of `a` → `b`. The common head and tail are matched first (an edit of one
 * config entry leaves nearly all of a file alone, so this is linear there); only the
 * changed middle gets a longest-common-subsequence table, and a middle too big for one
 * is reported as replaced wholesale rather than computed slowly.
 */
export function diffLines(a: string, b: string): DiffLine[] {
  const x = splitLines(a);
  const y = splitLines(b);
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head]) head++;
  let tail = 0;
  while (
    tail < x.length - head &&
    tail < y.length - head &&
    x[x.length - 1 - tail] === y[y.length - 1 - tail]
  )
    tail++;
  const out: DiffLine[] = x.slice(0, head).map((text) => ({ op: " ", text }));
  out.push(...middle(x.slice(head, x.length - tail), y.slice(head, y.length - tail)));
  out.push(...x.slice(x.length - tail).map((text): DiffLine => ({ op: " ", text })));
  return out;
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function middle(x: string[], y: string[]): DiffLine[] {
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0 || n * m > MAX_TABLE_CELLS) {
    return [
      ...x.map((text): DiffLine => ({ op: "-", text })),
      ...y.map((text): DiffLine => ({ op: "+", text })),
    ];
  }
  // lcs[i * (m + 1) + j]: length of the LCS of x[i..] and y[j..].
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i * w + j] =
        x[i] === y[j]
          ? lcs[(i + 1) * w + j + 1]! + 1
          : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      out.push({ op: " ", text: x[i]! });
      i++;
      j++;
    } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) out.push({ op: "-", text: x[i++]! });
    else out.push({ op: "+", text: y[j++]! });
  }
  while (i < n) out.push({ op: "-", text: x[i++]! });
  while (j < m) out.push({ op: "+", text: y[j++]! });
  return out;
}

/**
 * A unified diff (`diff -u` style, `context` lines around each change) of `a` → `b`;
 * empty when they are the same.
 */
export function unifiedDiff(a: string, b: string, file: string, context = 3): string {
  const lines = diffLines(a, b);
  const changed = lines.flatMap((l, i) => (l.op === " " ? [] : [i]));
  if (changed.length === 0) return "";
  // Group changes whose context would touch into one hunk.
  const hunks: [number, number][] = [];
  for (const i of changed) {
    const last = hunks[hunks.length - 1];
    if (last && i - last[1] <= 2 * context + 1) last[1] = i;
    else hunks.push([i, i]);
  }
  // Line numbers (1-based) in a and b where each diff line sits.
  const aLine: number[] = [];
  const bLine: number[] = [];
  let na = 1;
  let nb = 1;
  for (const l of lines) {
    aLine.push(na);
    bLine.push(nb);
    if (l.op !== "+") na++;
    if (l.op !== "-") nb++;
  }
  const out = [`--- a/${file}`, `+++ b/${file}`];
  for (const [first, last] of hunks) {
    const from = Math.max(0, first - context);
    const to = Math.min(lines.length - 1, last + context);
    const slice = lines.slice(from, to + 1);
    const aCount = slice.filter((l) => l.op !== "+").length;
    const bCount = slice.filter((l) => l.op !== "-").length;
    // diff -u numbers an empty side by the line before it.
    const aStart = aCount === 0 ? aLine[from]! - 1 : aLine[from]!;
    const bStart = bCount === 0 ? bLine[from]! - 1 : bLine[from]!;
    out.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`);
    for (const l of slice) out.push(`${l.op}${l.text}`);
  }
  return out.join("\n") + "\n";
}
