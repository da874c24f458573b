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
