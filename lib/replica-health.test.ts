import { describe, expect, it } from "vitest";
import { joinViewKeys, splitViewKeys } from "./live-views";
import {
  bucketState,
  isReplicaViewKey,
  parseReplicaViewKey,
  replicaFilterOf,
  replicaHeadline,
  replicaViewKey,
  type ReplicaViewSpec,
} from "./replica-health";

describe("replica views", () => {
  it("round-trip through their keys and through the live poll's one query value", () => {
    const specs: ReplicaViewSpec[] = [
      { kind: "replicas", service: "backend", environment: "staging", page: 1 },
      { kind: "replicas", service: "backend", environment: "", page: 3 },
      { kind: "replica-summary", service: "", environment: "production" },
      { kind: "replica-summary", service: "", environment: "" },
    ];
    const keys = specs.map(replicaViewKey);
    expect(keys).toEqual([
      "replicas:service=backend&environment=staging",
      "replicas:service=backend&page=3",
      "replica-summary:environment=production",
      "replica-summary:",
    ]);
    expect(keys.every(isReplicaViewKey)).toBe(true);
    expect(isReplicaViewKey("one:backend-health")).toBe(false);
    const wire = new URL(`http://x/api/live?views=${encodeURIComponent(joinViewKeys(keys))}`);
    expect(splitViewKeys(wire.searchParams.get("views")!).map(parseReplicaViewKey)).toEqual(specs);
  });

  it("refuse unknown parameters, ids that are not ids, bad pages and long keys, saying which", () => {
    expect(parseReplicaViewKey("replicas:colour=red")).toEqual({
      error: 'replicas: unknown parameter "colour"',
    });
    expect(parseReplicaViewKey("replica-summary:page=2")).toEqual({
      error: 'replica-summary: unknown parameter "page"',
    });
    expect(parseReplicaViewKey("replicas:service=Back%20End")).toEqual({
      error: "replicas: service is not an id",
    });
    expect(parseReplicaViewKey("replicas:environment=..%2Fetc")).toEqual({
      error: "replicas: environment is not an id",
    });
    for (const page of ["0", "-1", "1.5", "x", "100001"])
      expect(parseReplicaViewKey(`replicas:page=${page}`)).toEqual({
        error: "replicas: page is a whole number from 1",
      });
    expect(parseReplicaViewKey(`replicas:service=${"a".repeat(400)}`)).toEqual({
      error: "replicas: a view key is at most 300 characters",
    });
  });

  it("take a list filter only when it names ids", () => {
    expect(replicaFilterOf({ service: "backend", environment: "" })).toEqual({
      service: "backend",
      environment: "",
    });
    expect(replicaFilterOf({ service: "Back End", environment: "" })).toBeNull();
  });
});

describe("replica figures", () => {
  it('say "N of M replicas up" and what else is wrong', () => {
    const c = { up: 1, down: 1, stale: 0, unknown: 0, total: 2 };
    expect(replicaHeadline(c)).toBe("1 of 2 replicas up · 1 down");
    expect(replicaHeadline({ up: 1, down: 0, stale: 0, unknown: 0, total: 1 })).toBe(
      "1 of 1 replica up",
    );
    expect(replicaHeadline({ up: 0, down: 0, stale: 2, unknown: 1, total: 3 })).toBe(
      "0 of 3 replicas up · 2 stale · 1 not scraped yet",
    );
  });

  it("read a half hour's mean of up as all up, some down, all down or no data", () => {
    expect([1, 0.999, 0, null, Number.NaN].map(bucketState)).toEqual([
      "up",
      "partial",
      "down",
      "none",
      "none",
    ]);
  });
});
