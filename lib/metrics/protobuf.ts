// A reader for the protobuf wire format, just enough to decode remote-write and OTLP
// push bodies without generated code or protobufjs. Push bodies come from the network,
// so every read is bounds-checked and any malformation throws a ProtobufError whose
// message names where in the message it happened.

export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtobufError";
  }
}

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_SGROUP = 3;
export const WIRE_EGROUP = 4;
export const WIRE_I32 = 5;

const WIRE_NAMES = ["varint", "64-bit", "length-delimited", "start-group", "end-group", "32-bit"];

// Groups are deprecated and never used by these schemas, but a reader must be able to
// skip them; nesting is bounded so a body of nested start-group tags cannot recurse deep.
const MAX_GROUP_DEPTH = 32;

const TWO_32 = 4294967296;

// fatal: invalid UTF-8 is an error (proto3 strings must be UTF-8), not U+FFFD.
// ignoreBOM: a string that starts with U+FEFF keeps it.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export class ProtoReader {
  /** The current field's number and wire type, set by next(). */
  field = 0;
  wire = 0;
  /** The last varint or fixed64 read, as unsigned 32-bit halves. */
  lo = 0;
  hi = 0;
  pos: number;

  private constructor(
    private readonly buf: Uint8Array,
    private readonly view: DataView,
    start: number,
    private readonly end: number,
    private readonly parent: ProtoReader | undefined,
    private readonly name: string,
    private readonly index: number,
  ) {
    this.pos = start;
  }

  /** A reader over a whole message; `name` starts every error path (may be empty). */
  static of(buf: Uint8Array, name = ""): ProtoReader {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    return new ProtoReader(buf, view, 0, buf.length, undefined, name, -1);
  }

  /** Where this message sits in the request, e.g. `timeseries[3].labels[1]`. */
  path(): string {
    const own = this.index >= 0 ? `${this.name}[${this.index}]` : this.name;
    const up = this.parent ? this.parent.path() : "";
    if (up && own) return `${up}.${own}`;
    return up || own;
  }

  fail(message: string): never {
    throw new ProtobufError(`${this.path() || "message"}: ${message}`);
  }

  /** Reads the next field's tag; false at the end of this message. */
  next(): boolean {
    if (this.pos >= this.end) return false;
    const at = this.pos;
    this.readVarint();
    if (this.hi !== 0) this.fail(`field tag at byte ${at} does not fit in 32 bits`);
    this.field = this.lo >>> 3;
    this.wire = this.lo & 7;
    if (this.field === 0) this.fail(`field number 0 at byte ${at}`);
    if (this.wire > WIRE_I32) this.fail(`field ${this.field} has invalid wire type ${this.wire}`);
    if (this.wire === WIRE_EGROUP) this.fail(`field ${this.field} ends a group that never started`);
    return true;
  }

  /** Throws unless the current field has wire type `wire`. */
  expect(wire: number): void {
    if (this.wire !== wire) {
      this.fail(
        `field ${this.field} has wire type ${WIRE_NAMES[this.wire]}, expected ${WIRE_NAMES[wire]}`,
      );
    }
  }

  /** Skips the current field, whatever its wire type. */
  skip(): void {
    this.skipValue(this.field, this.wire, 0);
  }

  private skipValue(field: number, wire: number, depth: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.readVarint();
        return;
      case WIRE_I64:
        this.advance(8, field);
        return;
      case WIRE_I32:
        this.advance(4, field);
        return;
      case WIRE_LEN:
        this.advance(this.length(), field);
        return;
      case WIRE_SGROUP:
        this.skipGroup(field, depth + 1);
        return;
    }
  }

  private skipGroup(field: number, depth: number): void {
    if (depth > MAX_GROUP_DEPTH) this.fail(`groups nested more than ${MAX_GROUP_DEPTH} deep`);
    for (;;) {
      if (this.pos >= this.end) this.fail(`group (field ${field}) is not closed`);
      this.readVarint();
      if (this.hi !== 0) this.fail("field tag does not fit in 32 bits");
      const inner = this.lo >>> 3;
      const wire = this.lo & 7;
      if (inner === 0) this.fail("field number 0 inside a group");
      if (wire > WIRE_I32) this.fail(`field ${inner} has invalid wire type ${wire}`);
      if (wire === WIRE_EGROUP) {
        if (inner !== field) this.fail(`group for field ${field} closed as field ${inner}`);
        return;
      }
      this.skipValue(inner, wire, depth);
    }
  }

  private advance(n: number, field: number): void {
    if (n > this.end - this.pos) {
      this.fail(`field ${field} is truncated: needs ${n} bytes, ${this.end - this.pos} remain`);
    }
    this.pos += n;
  }

  /** Reads a varint into lo/hi (unsigned halves). At most 10 bytes, at most 64 bits. */
  readVarint(): void {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    for (let i = 0; ; i++) {
      if (this.pos >= this.end) this.fail("varint is truncated");
      const b = buf[this.pos++]!;
      if (i < 4) {
        lo |= (b & 0x7f) << (7 * i);
      } else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x7f) >>> 4;
      } else if (i < 9) {
        hi |= (b & 0x7f) << (7 * i - 32);
      } else {
        // The tenth byte carries bit 63 only; anything more overflows 64 bits.
        if (b > 1) this.fail("varint overflows 64 bits");
        hi |= b << 31;
      }
      if (b < 0x80) break;
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** A length prefix, checked against what remains of this message. */
  private length(): number {
    this.readVarint();
    const remaining = this.end - this.pos;
    if (this.hi !== 0 || this.lo > remaining) {
      const n = this.hi * TWO_32 + this.lo;
      this.fail(`field ${this.field} claims ${n} bytes, ${remaining} remain`);
    }
    return this.lo;
  }

  /** uint32 / enum / int32 fields: the low 32 bits, as protobuf does. */
  uint32(): number {
    this.expect(WIRE_VARINT);
    this.readVarint();
    return this.lo;
  }

  bool(): boolean {
    this.expect(WIRE_VARINT);
    this.readVarint();
    return (this.lo | this.hi) !== 0;
  }

  /** An int64 varint as an exact number; throws outside ±(2^53 - 1). */
  int64(): number {
    this.expect(WIRE_VARINT);
    this.readVarint();
    const v = signed64(this.hi, this.lo);
    if (!Number.isSafeInteger(v))
      this.fail(`field ${this.field}: ${this.int64Decimal()} is out of range`);
    return v;
  }

  /** The last varint or fixed64 read, as a signed 64-bit decimal string (exact). */
  int64Decimal(): string {
    return BigInt.asIntN(64, (BigInt(this.hi) << BigInt(32)) | BigInt(this.lo)).toString();
  }

  /** An int64 varint field as an exact decimal string. */
  int64String(): string {
    this.expect(WIRE_VARINT);
    this.readVarint();
    return this.int64Decimal();
  }

  double(): number {
    this.expect(WIRE_I64);
    this.advance(8, this.field);
    return this.view.getFloat64(this.pos - 8, true);
  }

  /** A fixed64 field; sets lo/hi for exact use and returns it rounded to a double. */
  fixed64(): number {
    this.expect(WIRE_I64);
    this.advance(8, this.field);
    this.lo = this.view.getUint32(this.pos - 8, true);
    this.hi = this.view.getUint32(this.pos - 4, true);
    return this.hi * TWO_32 + this.lo;
  }

  /** An sfixed64 field, rounded to the nearest double as a Go float64() conversion does. */
  sfixed64(): number {
    this.fixed64();
    return signed64(this.hi, this.lo);
  }

  /** The last fixed64 or sfixed64 read, as a signed 64-bit decimal string (exact). */
  fixed64Decimal(signed: boolean): string {
    const v = (BigInt(this.hi) << BigInt(32)) | BigInt(this.lo);
    return (signed ? BigInt.asIntN(64, v) : v).toString();
  }

  bytes(): Uint8Array {
    this.expect(WIRE_LEN);
    const n = this.length();
    this.pos += n;
    return this.buf.subarray(this.pos - n, this.pos);
  }

  string(): string {
    const bytes = this.bytes();
    // Label names and most values are short ASCII, which TextDecoder is slow at.
    if (bytes.length <= 64) {
      let ascii = true;
      for (let i = 0; i < bytes.length && ascii; i++) ascii = bytes[i]! < 0x80;
      if (ascii) return String.fromCharCode.apply(null, bytes as unknown as number[]);
    }
    try {
      return utf8.decode(bytes);
    } catch {
      return this.fail(`field ${this.field} is not valid UTF-8`);
    }
  }

  /** The current field as an embedded message; this reader moves past it. */
  message(name: string, index = -1): ProtoReader {
    if (this.wire !== WIRE_LEN) {
      const where = index >= 0 ? `${name}[${index}]` : name;
      this.fail(
        `${where} (field ${this.field}) has wire type ${WIRE_NAMES[this.wire]}, expected a message`,
      );
    }
    const n = this.length();
    const start = this.pos;
    this.pos += n;
    return new ProtoReader(this.buf, this.view, start, start + n, this, name, index);
  }

  /** A repeated double field, packed or not, appended to `out`. */
  doubles(out: number[]): void {
    if (this.wire === WIRE_I64) {
      out.push(this.double());
      return;
    }
    const n = this.packed(8);
    for (let p = this.pos - n; p < this.pos; p += 8) out.push(this.view.getFloat64(p, true));
  }

  /** A repeated fixed64 field, packed or not, appended to `out` as rounded doubles. */
  fixed64s(out: number[]): void {
    if (this.wire === WIRE_I64) {
      out.push(this.fixed64());
      return;
    }
    const n = this.packed(8);
    for (let p = this.pos - n; p < this.pos; p += 8) {
      out.push(this.view.getUint32(p + 4, true) * TWO_32 + this.view.getUint32(p, true));
    }
  }

  private packed(size: number): number {
    if (this.wire !== WIRE_LEN) {
      this.fail(
        `field ${this.field} has wire type ${WIRE_NAMES[this.wire]}, expected 64-bit or packed`,
      );
    }
    const n = this.length();
    if (n % size !== 0)
      this.fail(`packed field ${this.field} is ${n} bytes, not a multiple of ${size}`);
    this.pos += n;
    return n;
  }
}

// Rounds once, to nearest even, as Go's float64(int64) does.
function signed64(hi: number, lo: number): number {
  if (hi < 0x80000000) return hi * TWO_32 + lo;
  const nhi = ~hi >>> 0;
  // Two's complement -(~x + 1) on the halves is exact while the magnitude fits 53 bits;
  // beyond that two additions would round twice.
  if (nhi < 0x200000) return -(nhi * TWO_32 + (~lo >>> 0) + 1);
  return Number(BigInt.asIntN(64, (BigInt(hi) << BigInt(32)) | BigInt(lo)));
}
