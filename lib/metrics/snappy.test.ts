import { compress } from "snappyjs";
import { describe, expect, it } from "vitest";
import { snappyDecode, snappyDecodedLength, SnappyError } from "./snappy";

function errorOf(src: number[]): string {
  try {
    snappyDecode(Uint8Array.from(src));
  } catch (e) {
    expect(e).toBeInstanceOf(SnappyError);
    return (e as Error).message;
  }
  throw new Error("did not throw");
}

// A deterministic generator, so a failure can be reproduced.
function bytes(n: number, seed: number, alphabet = 256): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = (x >>> 16) % alphabet;
  }
  return out;
}

describe("snappyDecode", () => {
  it.each([
    ["empty", new Uint8Array(0)],
    ["one byte", Uint8Array.of(42)],
    ["random, incompressible", bytes(70_000, 1)],
    ["few symbols, many short copies", bytes(200_000, 2, 4)],
    ["one repeated byte (overlapping copies)", new Uint8Array(100_000).fill(7)],
    [
      "text",
      new TextEncoder().encode('http_requests_total{method="GET",code="200"} '.repeat(3000)),
    ],
  ])("round-trips what snappyjs compresses: %s", (_, input) => {
    const compressed = compress(input);
    expect(snappyDecodedLength(compressed)).toBe(input.length);
    expect(snappyDecode(compressed)).toEqual(input);
  });

  it("decodes every element type written by hand", () => {
    // Preamble 12; literal "ab" (tag 0x04); copy-1 of 4 at offset 2 (tag 0x01) → "abab";
    // copy-2 of 3 at offset 1 (tag 0x0a) → "bbb"; copy-4 of 2 at offset 9 (tag 0x07)
    // → "ab"; a literal in the 60 form, one extra length byte (tag 0xf0) → "z".
    const src = [
      12, 0x04, 0x61, 0x62, 0x01, 0x02, 0x0a, 0x01, 0x00, 0x07, 0x09, 0, 0, 0, 0xf0, 0x00, 0x7a,
    ];
    expect(new TextDecoder().decode(snappyDecode(Uint8Array.from(src)))).toBe("abababbbbabz");
  });

  it("reads literal lengths of one to four extra bytes", () => {
    for (const [tag, extra] of [
      [0xf0, [99]],
      [0xf4, [99, 0]],
      [0xf8, [99, 0, 0]],
      [0xfc, [99, 0, 0, 0]],
    ] as const) {
      const payload = bytes(100, tag);
      const src = Uint8Array.from([100, tag, ...extra, ...payload]);
      expect(snappyDecode(src)).toEqual(payload);
    }
  });

  it("refuses a bad preamble", () => {
    expect(errorOf([])).toBe("the length preamble is truncated");
    expect(errorOf([0x80, 0x80])).toBe("the length preamble is truncated");
    expect(errorOf([0xff, 0xff, 0xff, 0xff, 0x7f])).toBe("the declared length exceeds 32 bits");
    expect(errorOf([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).toBe(
      "the length preamble is longer than 5 bytes",
    );
    expect(snappyDecodedLength(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f))).toBe(0xffffffff);
  });

  it("refuses literals and copies that run past the input or the declared length", () => {
    expect(errorOf([5, 0x10, 0x61])).toBe("literal at byte 1 runs past the input");
    expect(errorOf([5, 0xf4, 0x01])).toBe("literal at byte 1 is truncated");
    expect(errorOf([1, 0x04, 0x61, 0x62])).toBe("literal at byte 1 runs past the declared length");
    expect(errorOf([8, 0x00, 0x61, 0x01])).toBe("copy at byte 3 is truncated");
    expect(errorOf([8, 0x00, 0x61, 0x02, 0x01])).toBe("copy at byte 3 is truncated");
    expect(errorOf([8, 0x00, 0x61, 0x03, 0x01, 0, 0])).toBe("copy at byte 3 is truncated");
    expect(errorOf([4, 0x00, 0x61, 0x01, 0x01])).toBe(
      "copy at byte 3 runs past the declared length",
    );
  });

  it("refuses copies from offset 0 or from before the start", () => {
    expect(errorOf([8, 0x00, 0x61, 0x01, 0x00])).toBe("copy at byte 3 reaches before the start");
    expect(errorOf([8, 0x00, 0x61, 0x01, 0x02])).toBe("copy at byte 3 reaches before the start");
    expect(errorOf([8, 0x00, 0x61, 0x03, 0xff, 0xff, 0xff, 0xff])).toBe(
      "copy at byte 3 reaches before the start",
    );
  });

  it("refuses output shorter than declared (snappyjs pads it with zeros instead)", () => {
    expect(errorOf([10, 0x04, 0x61, 0x62])).toBe("decoded 2 bytes, the preamble declared 10");
  });
});
