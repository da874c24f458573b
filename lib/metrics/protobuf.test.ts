import { describe, expect, it } from "vitest";
import { ProtoWriter } from "@/test/protobuf-writer";
import { ProtobufError, ProtoReader } from "./protobuf";

function reader(bytes: ArrayLike<number>): ProtoReader {
  return ProtoReader.of(Uint8Array.from(bytes as number[]), "m");
}

function firstField<T>(bytes: Uint8Array, read: (r: ProtoReader) => T): T {
  const r = ProtoReader.of(bytes, "m");
  expect(r.next()).toBe(true);
  return read(r);
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtobufError);
    return (e as Error).message;
  }
  throw new Error("did not throw");
}

describe("varints", () => {
  it.each([
    [0, [0x00]],
    [1, [0x01]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [300, [0xac, 0x02]],
    [4294967295, [0xff, 0xff, 0xff, 0xff, 0x0f]],
    [Number.MAX_SAFE_INTEGER, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]],
  ])("reads %d", (value, bytes) => {
    const w = new ProtoWriter().tag(1, 0).raw(bytes).finish();
    expect(firstField(w, (r) => r.int64())).toBe(value);
    // And the test encoder agrees with the hand-written bytes.
    expect([...new ProtoWriter().varint(value).finish()]).toEqual(bytes);
  });

  it("reads negative int64s, which are always ten bytes", () => {
    const minusOne = new ProtoWriter().uint(1, -1).finish();
    expect(minusOne.length).toBe(11);
    expect(firstField(minusOne, (r) => r.int64())).toBe(-1);
    const minSafe = new ProtoWriter().uint(1, -Number.MAX_SAFE_INTEGER).finish();
    expect(firstField(minSafe, (r) => r.int64())).toBe(-Number.MAX_SAFE_INTEGER);
    // A timestamp before 1970, as remote write allows.
    const t = new ProtoWriter().uint(1, -86_400_000).finish();
    expect(firstField(t, (r) => r.int64())).toBe(-86_400_000);
  });

  it("gives int64s beyond 2^53 exactly as strings and refuses them as numbers", () => {
    const max = new ProtoWriter().uint(1, BigInt("9223372036854775807")).finish();
    expect(firstField(max, (r) => r.int64String())).toBe("9223372036854775807");
    expect(errorOf(() => firstField(max, (r) => r.int64()))).toBe(
      "m: field 1: 9223372036854775807 is out of range",
    );
    const min = new ProtoWriter().uint(1, BigInt("-9223372036854775808")).finish();
    expect(firstField(min, (r) => r.int64String())).toBe("-9223372036854775808");
    const big = new ProtoWriter().uint(1, 2 ** 53).finish();
    expect(errorOf(() => firstField(big, (r) => r.int64()))).toBe(
      "m: field 1: 9007199254740992 is out of range",
    );
  });

  it("reads the largest 64-bit varint (ten bytes, last byte 1)", () => {
    const r = reader([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    r.next();
    expect(r.int64String()).toBe("-1");
    expect([r.hi, r.lo]).toEqual([0xffffffff, 0xffffffff]);
  });

  it("refuses a varint of more than 64 bits", () => {
    const r = reader([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]);
    r.next();
    expect(errorOf(() => r.int64())).toBe("m: varint overflows 64 bits");
    const eleven = reader([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00]);
    eleven.next();
    expect(errorOf(() => eleven.int64())).toBe("m: varint overflows 64 bits");
  });

  it("refuses a truncated varint", () => {
    const r = reader([0x08, 0xff, 0xff]);
    r.next();
    expect(errorOf(() => r.uint32())).toBe("m: varint is truncated");
    expect(errorOf(() => reader([0x80]).next())).toBe("m: varint is truncated");
  });

  it("takes the low 32 bits for uint32 and reads bools as any non-zero value", () => {
    const w = new ProtoWriter()
      .uint(1, 2 ** 32 + 5)
      .uint(2, 2 ** 40)
      .finish();
    const r = ProtoReader.of(w);
    r.next();
    expect(r.uint32()).toBe(5);
    r.next();
    expect(r.bool()).toBe(true);
  });
});

describe("fields", () => {
  it("refuses field number 0, wire types 6 and 7, and a tag over 32 bits", () => {
    expect(errorOf(() => reader([0x00]).next())).toBe("m: field number 0 at byte 0");
    expect(errorOf(() => reader([0x0e]).next())).toBe("m: field 1 has invalid wire type 6");
    expect(errorOf(() => reader([0x0f]).next())).toBe("m: field 1 has invalid wire type 7");
    const bigTag = new ProtoWriter().varint(2 ** 35).finish();
    expect(errorOf(() => ProtoReader.of(bigTag, "m").next())).toBe(
      "m: field tag at byte 0 does not fit in 32 bits",
    );
  });

  it("refuses a field of the wrong wire type", () => {
    const w = new ProtoWriter().uint(2, 7).finish();
    expect(errorOf(() => firstField(w, (r) => r.double()))).toBe(
      "m: field 2 has wire type varint, expected 64-bit",
    );
    expect(errorOf(() => firstField(w, (r) => r.string()))).toBe(
      "m: field 2 has wire type varint, expected length-delimited",
    );
    expect(errorOf(() => firstField(w, (r) => r.message("labels", 4)))).toBe(
      "m: labels[4] (field 2) has wire type varint, expected a message",
    );
  });

  it("skips unknown fields of every wire type, groups included, and keeps reading", () => {
    const w = new ProtoWriter()
      .uint(1, 300)
      .fixed64(2, 12345)
      .string(3, "skipped")
      // A group (field 4) holding a varint and a nested group (field 5).
      .tag(4, 3)
      .uint(9, 1)
      .tag(5, 3)
      .string(9, "x")
      .tag(5, 4)
      .tag(4, 4)
      .tag(6, 5)
      .raw([1, 2, 3, 4])
      .string(7, "kept")
      .finish();
    const r = ProtoReader.of(w);
    const seen: number[] = [];
    let kept = "";
    while (r.next()) {
      seen.push(r.field);
      if (r.field === 7) kept = r.string();
      else r.skip();
    }
    expect(seen).toEqual([1, 2, 3, 4, 6, 7]);
    expect(kept).toBe("kept");
  });

  it("refuses groups that are unclosed, closed as another field, or closed without opening", () => {
    const unclosed = new ProtoWriter().tag(4, 3).uint(1, 1).finish();
    expect(errorOf(() => firstField(unclosed, (r) => r.skip()))).toBe(
      "m: group (field 4) is not closed",
    );
    const mismatched = new ProtoWriter().tag(4, 3).tag(5, 4).finish();
    expect(errorOf(() => firstField(mismatched, (r) => r.skip()))).toBe(
      "m: group for field 4 closed as field 5",
    );
    expect(errorOf(() => reader([0x0c]).next())).toBe("m: field 1 ends a group that never started");
  });

  it("refuses groups nested beyond 32 levels", () => {
    const w = new ProtoWriter();
    for (let i = 0; i < 40; i++) w.tag(1, 3);
    expect(errorOf(() => firstField(w.finish(), (r) => r.skip()))).toBe(
      "m: groups nested more than 32 deep",
    );
  });

  it("refuses fixed-size fields that are truncated", () => {
    expect(errorOf(() => firstField(Uint8Array.from([0x09, 1, 2, 3]), (r) => r.double()))).toBe(
      "m: field 1 is truncated: needs 8 bytes, 3 remain",
    );
    expect(errorOf(() => firstField(Uint8Array.from([0x0d, 1, 2]), (r) => r.skip()))).toBe(
      "m: field 1 is truncated: needs 4 bytes, 2 remain",
    );
  });
});

describe("length-delimited fields", () => {
  it("bounds an embedded message to its length and names its place in errors", () => {
    // The second label's name claims 5 bytes; the 8 bytes after the label belong to its
    // parent and must not be read as the name.
    const w = new ProtoWriter()
      .message(1, (ts) => ts.message(1, (l) => l.string(1, "a")))
      .message(1, (ts) => ts.message(1, (l) => l.raw([0x0a, 0x05])).string(3, "abcdefgh"))
      .finish();
    const r = ProtoReader.of(w);
    const names: string[] = [];
    const read = () => {
      for (let i = 0; r.next(); i++) {
        const ts = r.message("timeseries", i);
        while (ts.next()) {
          if (ts.field !== 1) {
            ts.skip();
            continue;
          }
          const l = ts.message("labels", 0);
          while (l.next()) names.push(l.string());
        }
      }
    };
    expect(errorOf(read)).toBe("timeseries[1].labels[0]: field 1 claims 5 bytes, 0 remain");
    expect(names).toEqual(["a"]);
  });

  it("refuses a length beyond what remains, in a nested message too", () => {
    expect(errorOf(() => firstField(Uint8Array.from([0x0a, 0x05, 1, 2]), (r) => r.bytes()))).toBe(
      "m: field 1 claims 5 bytes, 2 remain",
    );
    // The inner message claims 4 bytes; its parent holds only 2 after the length.
    const w = new ProtoWriter().bytesField(1, [0x12, 0x04, 0x01, 0x02]).raw([9, 9, 9, 9]).finish();
    const outer = ProtoReader.of(w, "m");
    outer.next();
    const inner = outer.message("inner");
    inner.next();
    expect(errorOf(() => inner.bytes())).toBe("m.inner: field 2 claims 4 bytes, 2 remain");
    const huge = new ProtoWriter()
      .tag(1, 2)
      .varint(2 ** 40)
      .finish();
    expect(errorOf(() => firstField(huge, (r) => r.skip()))).toBe(
      "m: field 1 claims 1099511627776 bytes, 0 remain",
    );
  });

  it("decodes UTF-8 strictly and keeps a leading byte-order mark", () => {
    const good = new ProtoWriter().string(1, "\ufeffé€😀").finish();
    expect(firstField(good, (r) => r.string())).toBe("\ufeffé€😀");
    const bad = new ProtoWriter().bytesField(1, [0x61, 0xff, 0x62]).finish();
    expect(errorOf(() => firstField(bad, (r) => r.string()))).toBe("m: field 1 is not valid UTF-8");
    const surrogate = new ProtoWriter().bytesField(1, [0xed, 0xa0, 0x80]).finish();
    expect(errorOf(() => firstField(surrogate, (r) => r.string()))).toBe(
      "m: field 1 is not valid UTF-8",
    );
  });

  it("reads repeated doubles and fixed64s packed and unpacked", () => {
    const w = new ProtoWriter()
      .packedDoubles(1, [0.5, -2, Infinity])
      .double(1, 7.25)
      .packedFixed64(2, [1, 2 ** 40])
      .fixed64(2, 3)
      .finish();
    const r = ProtoReader.of(w);
    const ds: number[] = [];
    const fs: number[] = [];
    while (r.next()) {
      if (r.field === 1) r.doubles(ds);
      else r.fixed64s(fs);
    }
    expect(ds).toEqual([0.5, -2, Infinity, 7.25]);
    expect(fs).toEqual([1, 2 ** 40, 3]);
  });

  it("refuses a packed field whose length is not a multiple of its element size", () => {
    const w = new ProtoWriter().bytesField(1, [1, 2, 3, 4, 5, 6, 7, 8, 9]).finish();
    expect(errorOf(() => firstField(w, (r) => r.doubles([])))).toBe(
      "m: packed field 1 is 9 bytes, not a multiple of 8",
    );
    const v = new ProtoWriter().uint(1, 1).finish();
    expect(errorOf(() => firstField(v, (r) => r.fixed64s([])))).toBe(
      "m: field 1 has wire type varint, expected 64-bit or packed",
    );
  });
});

describe("64-bit fixed fields", () => {
  it("reads fixed64 exactly through lo/hi and sfixed64 with Go's rounding", () => {
    const ns = BigInt("1700000000123456789");
    const w = new ProtoWriter().fixed64(1, ns).finish();
    const r = ProtoReader.of(w);
    r.next();
    r.fixed64();
    expect(r.fixed64Decimal(false)).toBe("1700000000123456789");
    expect((BigInt(r.hi) << BigInt(32)) | BigInt(r.lo)).toBe(ns);

    const neg = new ProtoWriter().fixed64(1, -42).finish();
    expect(firstField(neg, (r) => r.sfixed64())).toBe(-42);
    // -(2^60 + 1) is not a double; Go's float64() rounds it to -2^60.
    const far = new ProtoWriter().fixed64(1, -(BigInt(2) ** BigInt(60)) - BigInt(1)).finish();
    expect(firstField(far, (r) => r.sfixed64())).toBe(-(2 ** 60));
    // 2^53 + 3 rounds to even: 2^53 + 4.
    const odd = new ProtoWriter().fixed64(1, BigInt(2) ** BigInt(53) + BigInt(3)).finish();
    expect(firstField(odd, (r) => r.sfixed64())).toBe(2 ** 53 + 4);
    const oddNeg = new ProtoWriter().fixed64(1, -(BigInt(2) ** BigInt(53)) - BigInt(3)).finish();
    expect(firstField(oddNeg, (r) => r.sfixed64())).toBe(-(2 ** 53 + 4));
    // -(2^54 + 6) is a tie that rounds (to even) away from zero; two roundings would not.
    const tie = new ProtoWriter().fixed64(1, -(BigInt(2) ** BigInt(54)) - BigInt(6)).finish();
    expect(firstField(tie, (r) => r.sfixed64())).toBe(-(2 ** 54 + 8));
  });
});
