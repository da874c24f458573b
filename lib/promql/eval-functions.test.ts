import { describe, expect, it } from "vitest";
import { evaluateInstant } from "./eval";
import { bucketQuantile } from "./eval-functions";
import { MemoryQuerier } from "./memory-querier";
import { parseExpr } from "./parse";
import type { Labels } from "./storage";

const b = (upper: number, count: number) => ({ upper, count });

describe("bucketQuantile (classic histograms)", () => {
  it("interpolates linearly inside the bucket that holds the rank", () => {
    // 100 observations: 50 up to 1, 90 up to 2, all up to +Inf. The median is the end
    // of the first bucket; the 0.7 rank is half-way through the second.
    const buckets = [b(1, 50), b(2, 90), b(Infinity, 100)];
    expect(bucketQuantile(0.5, buckets)).toBe(1);
    expect(bucketQuantile(0.7, buckets)).toBe(1.5);
    // A rank in the +Inf bucket answers the largest finite bound.
    expect(bucketQuantile(0.95, buckets)).toBe(2);
  });

  it("answers NaN without a +Inf bucket or without observations, ±Inf outside [0, 1]", () => {
    expect(bucketQuantile(0.5, [b(1, 5), b(2, 10)])).toBeNaN();
    expect(bucketQuantile(0.5, [b(1, 0), b(Infinity, 0)])).toBeNaN();
    expect(bucketQuantile(-0.1, [b(1, 5), b(Infinity, 10)])).toBe(-Infinity);
    expect(bucketQuantile(1.1, [b(1, 5), b(Infinity, 10)])).toBe(Infinity);
  });

  it("makes counts monotonic and merges equal bounds before ranking", () => {
    // 2's count dipped below 1's (buckets scraped at slightly different moments): it is
    // raised to 60, so the 0.5 rank (50 of 100) falls in the first bucket.
    expect(bucketQuantile(0.5, [b(2, 40), b(1, 60), b(Infinity, 100)])).toBeCloseTo(
      0.8333333333333334,
      15,
    );
    expect(bucketQuantile(0.5, [b(1, 30), b(1, 30), b(Infinity, 100)])).toBeCloseTo(
      0.8333333333333334,
      15,
    );
  });

  it("answers the first bound when the rank is in a first bucket at or below zero", () => {
    expect(bucketQuantile(0.1, [b(-1, 20), b(0, 50), b(Infinity, 100)])).toBe(-1);
  });
});

describe("label_replace and label_join", () => {
  const q = new MemoryQuerier([
    { labels: { __name__: "up", instance: "web-01:9100", job: "node" }, t: [0], v: [1] },
  ]);
  const labelsOf = (query: string): Labels[] => {
    const r = evaluateInstant(parseExpr(query), q, 0);
    if (r.type !== "vector") throw new Error(r.type);
    return r.samples.map((s) => s.labels);
  };

  it("expands $n, ${n} and named groups as Go's regexp does", () => {
    expect(
      labelsOf('label_replace(up, "host", "$1/${2}x", "instance", "(.*)-(.*):.*")')[0]!.host,
    ).toBe("web/01x");
    // "$2x" names a group "2x" that does not exist: it expands to nothing.
    expect(
      labelsOf('label_replace(up, "host", "<$2x>", "instance", "(.*)-(.*):.*")')[0]!.host,
    ).toBe("<>");
    expect(
      labelsOf('label_replace(up, "host", "$$${h}", "instance", "(?P<h>[a-z]+).*")')[0]!.host,
    ).toBe("$web");
  });

  it("leaves the series alone when the whole value does not match, and removes a label set to empty", () => {
    expect(labelsOf('label_replace(up, "host", "x", "instance", "web")')).toEqual([
      { __name__: "up", instance: "web-01:9100", job: "node" },
    ]);
    expect(labelsOf('label_replace(up, "job", "", "job", ".*")')).toEqual([
      { __name__: "up", instance: "web-01:9100" },
    ]);
  });

  it("joins the source labels with the separator, missing ones as empty", () => {
    expect(labelsOf('label_join(up, "id", "|", "job", "missing", "instance")')[0]!.id).toBe(
      "node||web-01:9100",
    );
  });
});
