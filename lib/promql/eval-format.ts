// Numbers written into label values the way Go's strconv.FormatFloat(v, 'f', -1, 64)
// writes them (count_values): the shortest digits that read back exactly, never an
// exponent. JavaScript's shortest digits are the same; only the notation differs.

export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  const s = String(v);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return Object.is(v, -0) ? "-0" : s;
  const [, sign, lead, frac = "", expText] = m;
  const digits = lead! + frac;
  const exp = Number(expText);
  if (exp >= 0) {
    const intLen = 1 + exp;
    return digits.length <= intLen
      ? sign + digits + "0".repeat(intLen - digits.length)
      : `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  }
  return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
}

/** Go's %v of a float64 (strconv 'g', shortest), as Prometheus's error messages print it. */
export function formatGoFloatG(v: number): string {
  if (!Number.isFinite(v) || v === 0) return formatGoFloat(v);
  const [mantissa, expText] = v.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  // Go switches to an exponent below 1e-4 and from 1e6 on (precision 6 for shortest).
  if (exp < -4 || exp >= 6) {
    const digits = String(Math.abs(exp)).padStart(2, "0");
    return `${mantissa}e${exp < 0 ? "-" : "+"}${digits}`;
  }
  return formatGoFloat(v);
}
