// Several XOR chunks of one series stored as one blob (a row of metrics.db's `blocks`
// table): each chunk preceded by its length in bytes as an unsigned LEB128 varint, as
// protobuf writes lengths. A chunk's own bytes do not say where it ends (its last byte
// is partly padding), so the length is what lets a reader skip a chunk without decoding
// it. The chunks themselves are unchanged: Prometheus's XOR encoding (chunk.ts).

function corrupt(why: string): Error {
  return new RangeError(`corrupt chunk list: ${why}`);
}

function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    bytes++;
  }
  return bytes;
}

/** What one chunk adds to a list's length. */
export function chunkListCost(chunk: Uint8Array): number {
  return varintBytes(chunk.length) + chunk.length;
}

export function encodeChunkList(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + chunkListCost(c), 0));
  let at = 0;
  for (const c of chunks) {
    let n = c.length;
    while (n >= 0x80) {
      out[at++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    out[at++] = n;
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The chunks of a list, as views over its bytes. */
export function chunkListParts(bytes: Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    let n = 0;
    let shift = 0;
    for (;;) {
      if (at >= bytes.length) throw corrupt("a length runs past the end");
      if (shift > 28) throw corrupt("a length longer than 5 bytes");
      const b = bytes[at++]!;
      n += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    if (n === 0) throw corrupt(`an empty chunk at byte ${at - 1}`);
    if (at + n > bytes.length)
      throw corrupt(`a chunk of ${n} bytes at byte ${at}, past the end (${bytes.length})`);
    parts.push(bytes.subarray(at, at + n));
    at += n;
  }
  return parts;
}
