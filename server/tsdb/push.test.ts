import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { compress } from "snappyjs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { freshDb } from "@/test/db";
import { metricsConfig } from "@/test/metrics-config";
import { writeRequest } from "@/test/protobuf-writer";
import { openMetricsDb, type MetricsDb } from "./db";

// A push is let in by one of several sources' tokens: the route compares the token once
// and names the source; the handler must not compare tokens again to find it.

const tokens = { ios: "i".repeat(40), android: "a".repeat(40), web: "w".repeat(40) };
const config = metricsConfig(
  `  push:
    - { id: ios, service: backend, environment: production, token: "\${IOS}" }
    - { id: android, service: backend, environment: production, token: "\${ANDROID}" }
    - { id: web, service: backend, environment: production, token: "\${WEB}" }
`,
  { IOS: tokens.ios, ANDROID: tokens.android, WEB: tokens.web },
);
vi.mock("@/server/config", () => ({ getConfig: () => ({ config }) }));

const metricsDb: { db?: MetricsDb } = {};
vi.mock("./db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("./db")>()),
  getMetricsDb: () => metricsDb.db!,
}));

const compared = vi.hoisted(() => ({ count: 0 }));
vi.mock("@/server/http/token", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/server/http/token")>();
  return {
    sameToken: (given: string, expected: string) => {
      compared.count++;
      return real.sameToken(given, expected);
    },
  };
});

const { POST } = await import("@/app/api/v1/write/route");

function push(token: string) {
  const body = compress(
    writeRequest([{ labels: [["__name__", "taps_total"]], samples: [[1_764_000_000_000, 7]] }]),
  );
  return POST(
    new Request("http://opsdeck.test/api/v1/write", {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/x-protobuf",
        "content-encoding": "snappy",
      },
      body: Buffer.from(body),
    }),
    { params: Promise.resolve({}) },
  );
}

describe("a remote-write push", () => {
  beforeAll(() => {
    freshDb();
    metricsDb.db = openMetricsDb(fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-push-")));
  });

  it("is stored under the source whose token it carries, with one pass over the tokens", async () => {
    compared.count = 0;
    const res = await push(tokens.android);
    expect(res.status).toBe(204);
    // ios, then android: the route's two comparisons and none after it.
    expect(compared.count).toBe(2);
    const rows = metricsDb.db!.prepare("SELECT source, samples FROM inbox").all();
    expect(rows).toEqual([{ source: "android", samples: 1 }]);
  });

  it("refuses a token no source has, and stores nothing", async () => {
    compared.count = 0;
    const res = await push("x".repeat(40));
    expect(res.status).toBe(401);
    expect(compared.count).toBe(3);
    expect(metricsDb.db!.prepare("SELECT count(*) AS n FROM inbox").get()).toEqual({ n: 1 });
  });
});
