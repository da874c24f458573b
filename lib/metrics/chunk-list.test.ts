import { describe, expect, it } from "vitest";
import { ChunkAppender, decodeChunk } from "./chunk";
import { chunkListCost, chunkListParts, encodeChunkList } from "./chunk-list";

function chunk(n: number, from: number): Uint8Array {
  const a = new ChunkAppender();
  for (let i = 0; i < n; i++) a.append(from + i * 15_000, Math.sqrt(from + i));
  return a.bytes();
}

describe("a list of chunks in one blob", () => {
  it("gives back each chunk byte for byte, lengths of one byte and of two", () => {
    const chunks = [chunk(1, 0), chunk(120, 1_000_000), chunk(7, 9_000_000)];
    expect(chunks.map((c) => c.length)).toEqual([11, 635, 46]);
    const list = encodeChunkList(chunks);
    expect(list.length).toBe(1 + 11 + 2 + 635 + 1 + 46);
    expect(chunks.reduce((n, c) => n + chunkListCost(c), 0)).toBe(list.length);
    expect(Array.from(list.subarray(0, 2))).toEqual([11, 0]);
    expect(Array.from(list.subarray(12, 14))).toEqual([0xfb, 0x04]);
    const parts = chunkListParts(list);
    expect(parts.map((p) => Array.from(p))).toEqual(chunks.map((c) => Array.from(c)));
    expect(Array.from(decodeChunk(parts[2]!).t)).toEqual(
      Array.from({ length: 7 }, (_, i) => 9_000_000 + i * 15_000),
    );
  });

  it("refuses a list cut short or with an empty chunk", () => {
    const list = encodeChunkList([chunk(3, 0), chunk(3, 60_000)]);
    expect(() => chunkListParts(list.subarray(0, list.length - 1))).toThrow(
      /corrupt chunk list: a chunk of \d+ bytes at byte \d+, past the end/,
    );
    expect(() => chunkListParts(Uint8Array.of(0x80))).toThrow("a length runs past the end");
    expect(() => chunkListParts(Uint8Array.of(0))).toThrow("an empty chunk at byte 0");
    expect(chunkListParts(new Uint8Array(0))).toEqual([]);
  });
});
