// Several XOR chunks of one series stored as one blob (a row of metrics.db's `blocks`
// table). Each chunk is preceded by two unsigned LEB128 varints, as protobuf writes
// them: its length in bytes, and its span (last timestamp minus first, in ms). A chunk's
// own bytes say neither where it ends (its last byte is partly padding) nor when (that
// takes a walk over every sample), so these let a reader skip a chunk outside its window
// without decoding it; the first timestamp is in the chunk's first bytes. The chunks
// themselves are unchanged: Prometheus's XOR encoding (chunk.ts).

export type ListedChunk = {
  bytes: Uint8Array;
  /** Last timestamp minus the first, ms (0 for a chunk of one sample). */
  span: number;
};

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
export function chunkListCost(chunk: ListedChunk): number {
  return varintBytes(chunk.bytes.length) + varintBytes(chunk.span) + chunk.bytes.length;
}

export function encodeChunkList(chunks: readonly ListedChunk[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + chunkListCost(c), 0));
  let at = 0;
  const varint = (n: number) => {
    while (n >= 0x80) {
      out[at++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    out[at++] = n;
  };
  for (const c of chunks) {
    if (!Number.isSafeInteger(c.span) || c.span < 0)
      throw new RangeError(`a chunk's span must be a non-negative integer, not ${c.span}`);
    varint(c.bytes.length);
    varint(c.span);
    out.set(c.bytes, at);
    at += c.bytes.length;
  }
  return out;
}

/** The chunks of a list, their bytes as views over the list's. */
export function chunkListParts(bytes: Uint8Array): ListedChunk[] {
  const parts: ListedChunk[] = [];
  let at = 0;
  const varint = (what: string): number => {
    let n = 0;
    let scale = 1;
    for (;;) {
      if (at >= bytes.length) throw corrupt(`a ${what} runs past the end`);
      if (scale > 2 ** 49) throw corrupt(`a ${what} longer than 8 bytes`);
      const b = bytes[at++]!;
      n += (b & 0x7f) * scale;
      scale *= 0x80;
      if ((b & 0x80) === 0) return n;
    }
  };
  while (at < bytes.length) {
    const start = at;
    const n = varint("length");
    const span = varint("span");
    if (n === 0) throw corrupt(`an empty chunk at byte ${start}`);
    if (at + n > bytes.length)
      throw corrupt(`a chunk of ${n} bytes at byte ${at}, past the end (${bytes.length})`);
    parts.push({ bytes: bytes.subarray(at, at + n), span });
    at += n;
  }
  return parts;
}
