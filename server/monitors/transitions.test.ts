import { describe, expect, it } from "vitest";
import { applyResult, type MonitorMemory } from "./transitions";

const fresh: MonitorMemory = {
  status: "unknown",
  consecutiveFailures: 0,
  failingSince: null,
  firstError: null,
  incidentOpen: false,
};
const up = { status: "up" as const, error: null };
const down = (error = "connection refused") => ({ status: "down" as const, error });

function run(
  results: { status: "up" | "degraded" | "down"; error: string | null }[],
  retries: number,
  maintenance: boolean[] = [],
) {
  let memory = fresh;
  return results.map((r, i) => {
    const t = applyResult(memory, r, {
      retries,
      at: 1000 * i,
      inMaintenance: maintenance[i] ?? false,
    });
    memory = t.next;
    return t;
  });
}

describe("monitor transitions", () => {
  it("retries: 0 marks down and opens an incident at the first failure", () => {
    const [t] = run([down()], 0);
    expect(t!.next.status).toBe("down");
    expect(t!.incident).toEqual({ open: { openedAt: 0, cause: "connection refused" } });
  });

  it("retries: 2 stays pending for two failures, opens on the third, dated from the first", () => {
    const ts = run([up, down("timed out"), down(), down()], 2);
    expect(ts.map((t) => t.next.status)).toEqual(["up", "pending", "pending", "down"]);
    expect(ts.map((t) => t.retrySoon)).toEqual([false, true, true, false]);
    expect(ts[3]!.incident).toEqual({ open: { openedAt: 1000, cause: "timed out" } });
  });

  it("a blip inside the retry budget never opens an incident", () => {
    const ts = run([down(), up, down(), up], 1);
    expect(ts.every((t) => !t.incident || !("open" in t.incident))).toBe(true);
    expect(ts.at(-1)!.next).toEqual({
      status: "up",
      consecutiveFailures: 0,
      failingSince: null,
      firstError: null,
      incidentOpen: false,
    });
  });

  it("keeps one incident while down and closes it at the first good check", () => {
    const ts = run([down(), down("HTTP 503"), { status: "degraded", error: "slow" }], 0);
    expect(ts[1]!.incident).toEqual({ update: { error: "HTTP 503" } });
    expect(ts[2]!.incident).toEqual({ close: { closedAt: 2000 } });
    expect(ts[2]!.next.status).toBe("degraded");
  });

  it("opens no incident during maintenance, but does once it ends if still down", () => {
    const ts = run([down(), down(), down()], 0, [true, true, false]);
    expect(ts.map((t) => t.incident && Object.keys(t.incident)[0])).toEqual([null, null, "open"]);
    expect(ts[2]!.incident).toEqual({ open: { openedAt: 0, cause: "connection refused" } });
  });
});
