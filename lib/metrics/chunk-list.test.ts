import { describe, expect, it } from "vitest";
import { ChunkAppender, chunkStats, decodeChunk } from "./chunk";
import { chunkListCost, chunkListParts, encodeChunkList, type ListedChunk } from "./chunk-list";

function chunk(n: number, from: number): ListedChunk {
  const a = new ChunkAppender();
  for (let i = 0; i < n; i++) a.append(from + i * 15_000, Math.sqrt(from + i));
  return { bytes: a.bytes(), span: (n - 1) * 15_000 };
}

describe("a list of chunks in one blob", () => {
  it("gives back each chunk byte for byte with its span, varints of one byte and more", () => {
    const chunks = [chunk(1, 0), chunk(120, 1_000_000), chunk(7, 9_000_000)];
    expect(chunks.map((c) => [c.bytes.length, c.span])).toEqual([
      [11, 0],
      [635, 1_785_000],
      [46, 90_000],
    ]);
    const list = encodeChunkList(chunks);
    expect(list.length).toBe(1 + 1 + 11 + (2 + 3 + 635) + (1 + 3 + 46));
    expect(chunks.reduce((n, c) => n + chunkListCost(c), 0)).toBe(list.length);
    expect(Array.from(list.subarray(0, 3))).toEqual([11, 0, 0]);
    // 635 = 0x27b; 1,785,000 = 0x1b3ca8.
    expect(Array.from(list.subarray(13, 18))).toEqual([0xfb, 0x04, 0xa8, 0xf9, 0x6c]);
    const parts = chunkListParts(list);
    expect(parts.map((p) => [Array.from(p.bytes), p.span])).toEqual(
      chunks.map((c) => [Array.from(c.bytes), c.span]),
    );
    const stats = chunkStats(parts[2]!.bytes);
    expect(stats.lastT! - stats.firstT!).toBe(parts[2]!.span);
    expect(Array.from(decodeChunk(parts[2]!.bytes).t)).toEqual(
      Array.from({ length: 7 }, (_, i) => 9_000_000 + i * 15_000),
    );
  });

  it("refuses a list cut short or with an empty chunk, and a negative span", () => {
    const list = encodeChunkList([chunk(3, 0), chunk(3, 60_000)]);
    expect(() => chunkListParts(list.subarray(0, list.length - 1))).toThrow(
      /corrupt chunk list: a chunk of \d+ bytes at byte \d+, past the end/,
    );
    expect(() => chunkListParts(Uint8Array.of(0x80))).toThrow("a length runs past the end");
    expect(() => chunkListParts(Uint8Array.of(5))).toThrow("a span runs past the end");
    expect(() => chunkListParts(Uint8Array.of(0, 0))).toThrow("an empty chunk at byte 0");
    expect(chunkListParts(new Uint8Array(0))).toEqual([]);
    expect(() => encodeChunkList([{ bytes: Uint8Array.of(0, 1), span: -1 }])).toThrow(
      "a chunk's span must be a non-negative integer, not -1",
    );
  });
});
