// Snappy block-format decompression (https://github.com/google/snappy/blob/main/format_description.txt),
// for remote-write bodies. Written here rather than taken from npm because the pure-JS
// package (snappyjs) accepts corrupt input: it writes past or short of the declared
// length without noticing, where Go's decoder, which Prometheus uses, refuses. This one
// refuses everything Go's does, and lets the caller check the declared length before
// anything is allocated.

export class SnappyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SnappyError";
  }
}

/** The uncompressed length a block declares in its preamble (a varint of at most 32 bits). */
export function snappyDecodedLength(src: Uint8Array): number {
  return readPreamble(src)[0];
}

function readPreamble(src: Uint8Array): [length: number, headerBytes: number] {
  let v = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= src.length) throw new SnappyError("the length preamble is truncated");
    const b = src[i]!;
    v += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) {
      if (v > 0xffffffff) throw new SnappyError("the declared length exceeds 32 bits");
      return [v, i + 1];
    }
  }
  throw new SnappyError("the length preamble is longer than 5 bytes");
}

/** Decompresses a whole block; throws SnappyError unless it is exactly well-formed. */
export function snappyDecode(src: Uint8Array): Uint8Array {
  const [length, header] = readPreamble(src);
  const dst = new Uint8Array(length);
  let s = header;
  let d = 0;
  while (s < src.length) {
    const at = s;
    const tag = src[s]!;
    let len: number;
    let offset: number;
    switch (tag & 3) {
      case 0: {
        len = tag >>> 2;
        s++;
        if (len >= 60) {
          // 60..63: the length minus one follows in 1..4 little-endian bytes.
          const extra = len - 59;
          if (s + extra > src.length) throw new SnappyError(`literal at byte ${at} is truncated`);
          len = 0;
          for (let i = extra - 1; i >= 0; i--) len = len * 256 + src[s + i]!;
          s += extra;
        }
        len += 1;
        if (len > src.length - s)
          throw new SnappyError(`literal at byte ${at} runs past the input`);
        if (len > length - d)
          throw new SnappyError(`literal at byte ${at} runs past the declared length`);
        dst.set(src.subarray(s, s + len), d);
        s += len;
        d += len;
        continue;
      }
      case 1:
        if (s + 2 > src.length) throw new SnappyError(`copy at byte ${at} is truncated`);
        len = 4 + ((tag >>> 2) & 7);
        offset = ((tag >>> 5) << 8) | src[s + 1]!;
        s += 2;
        break;
      case 2:
        if (s + 3 > src.length) throw new SnappyError(`copy at byte ${at} is truncated`);
        len = 1 + (tag >>> 2);
        offset = src[s + 1]! | (src[s + 2]! << 8);
        s += 3;
        break;
      default:
        if (s + 5 > src.length) throw new SnappyError(`copy at byte ${at} is truncated`);
        len = 1 + (tag >>> 2);
        offset =
          (src[s + 1]! | (src[s + 2]! << 8) | (src[s + 3]! << 16) | (src[s + 4]! << 24)) >>> 0;
        s += 5;
        break;
    }
    if (offset === 0 || offset > d)
      throw new SnappyError(`copy at byte ${at} reaches before the start`);
    if (len > length - d) throw new SnappyError(`copy at byte ${at} runs past the declared length`);
    if (offset >= len) {
      dst.copyWithin(d, d - offset, d - offset + len);
    } else {
      // Overlapping copy: a run repeats the bytes it is still writing.
      for (let i = 0; i < len; i++) dst[d + i] = dst[d - offset + i]!;
    }
    d += len;
  }
  if (d !== length) throw new SnappyError(`decoded ${d} bytes, the preamble declared ${length}`);
  return dst;
}
