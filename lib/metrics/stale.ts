// Prometheus marks a series that stopped being exposed with one particular NaN
// (value.StaleNaN, bits 0x7ff0000000000002), distinct from a NaN a target reports.
// Storage keeps its exact bits; queries treat it as "the series ended here".

const STALE_BITS_HI = 0x7ff00000;
const STALE_BITS_LO = 0x00000002;

const scratch = new DataView(new ArrayBuffer(8));
scratch.setUint32(0, STALE_BITS_HI);
scratch.setUint32(4, STALE_BITS_LO);

/** The staleness marker. Compare with `isStaleNaN`, never with `===` (NaN !== NaN). */
export const STALE_NAN: number = scratch.getFloat64(0);

export function isStaleNaN(v: number): boolean {
  if (v === v) return false;
  scratch.setFloat64(0, v);
  return scratch.getUint32(0) === STALE_BITS_HI && scratch.getUint32(4) === STALE_BITS_LO;
}
