import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { logOptions } from "./log-format";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: pino(logOptions("opsdeck", "debug"), stream), lines };
}

describe("log format", () => {
  it("writes the seed's structure: timestamp, level, service, message, context, error", () => {
    const { log, lines } = capture();
    log
      .child({ context: { requestId: "r1", userId: 7, endpoint: "POST /api/x" } })
      .error({ error: new Error("boom") }, "request failed");
    const line = lines[0]!;
    expect(line).toMatchObject({
      level: "ERROR",
      service: "opsdeck",
      message: "request failed",
      context: { requestId: "r1", userId: 7, endpoint: "POST /api/x" },
      error: { message: "boom", stack: expect.stringContaining("Error: boom") },
    });
    expect(new Date(line.timestamp as string).toISOString()).toBe(line.timestamp);
  });

  it("uses upper-case level names and redacts credentials", () => {
    const { log, lines } = capture();
    log.warn(
      { password: "hunter2", context: { token: "t0k3n" }, headers: { authorization: "Bearer x" } },
      "careful",
    );
    log.info("fine");
    log.debug("detail");
    expect(lines.map((l) => l.level)).toEqual(["WARN", "INFO", "DEBUG"]);
    expect(JSON.stringify(lines[0])).not.toMatch(/hunter2|t0k3n|Bearer x/);
  });
});
