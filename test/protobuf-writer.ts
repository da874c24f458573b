// A minimal protobuf encoder for tests: builds push bodies byte by byte from the wire
// format's rules, independently of the reader under test.

export class ProtoWriter {
  private readonly bytes: number[] = [];

  /** An unsigned or two's-complement varint, from a bigint so all 64 bits are exact. */
  varint(v: bigint | number): this {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= BigInt(0x80)) {
      this.bytes.push(Number(x & BigInt(0x7f)) | 0x80);
      x >>= BigInt(7);
    }
    this.bytes.push(Number(x));
    return this;
  }

  tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }

  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.bytes.push(bytes[i]!);
    return this;
  }

  uint(field: number, v: bigint | number): this {
    return this.tag(field, 0).varint(v);
  }

  double(field: number, v: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    return this.tag(field, 1).raw(b);
  }

  fixed64(field: number, v: bigint | number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(v)), true);
    return this.tag(field, 1).raw(b);
  }

  bytesField(field: number, b: ArrayLike<number>): this {
    return this.tag(field, 2).varint(b.length).raw(b);
  }

  string(field: number, s: string): this {
    return this.bytesField(field, new TextEncoder().encode(s));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytesField(field, inner.finish());
  }

  packedDoubles(field: number, vs: number[]): this {
    const b = new Uint8Array(8 * vs.length);
    const view = new DataView(b.buffer);
    vs.forEach((v, i) => view.setFloat64(8 * i, v, true));
    return this.bytesField(field, b);
  }

  packedFixed64(field: number, vs: number[]): this {
    const b = new Uint8Array(8 * vs.length);
    const view = new DataView(b.buffer);
    vs.forEach((v, i) => view.setBigUint64(8 * i, BigInt(v), true));
    return this.bytesField(field, b);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export interface TestSeries {
  labels: [string, string][];
  samples: [t: number, v: number][];
}

/** A remote-write WriteRequest, uncompressed. */
export function writeRequest(series: TestSeries[]): Uint8Array {
  const w = new ProtoWriter();
  for (const s of series) {
    w.message(1, (ts) => {
      for (const [name, value] of s.labels)
        ts.message(1, (l) => l.string(1, name).string(2, value));
      for (const [t, v] of s.samples) ts.message(2, (x) => x.double(1, v).uint(2, t));
    });
  }
  return w.finish();
}
