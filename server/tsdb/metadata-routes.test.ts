import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { freshDb } from "@/test/db";
import { metricsConfig } from "@/test/metrics-config";
import { openMetricsDb, type MetricsDb } from "./db";
import { LIMIT_WARNING } from "./prom-metadata";
import { TsdbWriter } from "./writer";

// The metadata routes as Grafana and promtool call them: a token (bearer, or Basic with
// the token's id as the user), GET or a form-encoded POST, Prometheus's JSON back.

const TOKEN = "g".repeat(40);
const config = metricsConfig(`  apiTokens:\n    - { id: grafana, token: "\${GRAFANA}" }\n`, {
  GRAFANA: TOKEN,
});
vi.mock("@/server/config", () => ({ getConfig: () => ({ config }) }));

const metricsDb: { db?: MetricsDb } = {};
vi.mock("./db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("./db")>()),
  getMetricsDb: () => metricsDb.db!,
}));

const series = await import("@/app/api/v1/series/route");
const labels = await import("@/app/api/v1/labels/route");
const values = await import("@/app/api/v1/label/[name]/values/route");

const T = 1_764_000_000_000;
const segment = { params: Promise.resolve({}) };
const bearer = { authorization: `Bearer ${TOKEN}` };

async function call(
  handler: (req: Request, s: typeof segment) => Promise<Response>,
  url: string,
  init: RequestInit = {},
) {
  const res = await handler(
    new Request(`http://opsdeck.test${url}`, { ...init, headers: { ...bearer, ...init.headers } }),
    segment,
  );
  return { status: res.status, body: await res.json() };
}

describe("the metadata routes", () => {
  beforeAll(() => {
    freshDb();
    const db = openMetricsDb(fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-meta-routes-")));
    const w = new TsdbWriter(db);
    w.append(
      [
        ["__name__", "up"],
        ["instance", "a:1"],
        ["job", "api"],
      ],
      T - 3_600_000,
      1,
    );
    w.append(
      [
        ["__name__", "up"],
        ["instance", "b:1"],
        ["job", "api"],
      ],
      T,
      1,
    );
    w.commit();
    metricsDb.db = db;
  });

  it("answer GET with start and end, and limit's warning beside data", async () => {
    const s = T / 1000;
    expect(await call(series.GET, `/api/v1/series?match[]=up&start=${s - 60}&end=${s}`)).toEqual({
      status: 200,
      body: { status: "success", data: [{ __name__: "up", instance: "b:1", job: "api" }] },
    });
    expect(await call(labels.GET, "/api/v1/labels?limit=2")).toEqual({
      status: 200,
      body: { status: "success", data: ["__name__", "instance"], warnings: [LIMIT_WARNING] },
    });
    expect(
      await call(values.GET, `/api/v1/label/instance/values?end=${new Date(T - 1).toISOString()}`),
    ).toEqual({ status: 200, body: { status: "success", data: ["a:1"] } });
  });

  it("take a form-encoded POST, as Grafana sends", async () => {
    const body = new URLSearchParams({ "match[]": '{job="api"}', start: `${T / 1000}` });
    expect(
      await call(series.POST, "/api/v1/series", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: body.toString(),
      }),
    ).toEqual({
      status: 200,
      body: { status: "success", data: [{ __name__: "up", instance: "b:1", job: "api" }] },
    });
  });

  it("take promtool's Basic auth (the token's id and the token), and refuse a wrong one", async () => {
    const basic = (user: string, password: string) => ({
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
    });
    expect(
      (await call(values.GET, "/api/v1/label/job/values", { headers: basic("grafana", TOKEN) }))
        .body,
    ).toEqual({ status: "success", data: ["api"] });
    for (const headers of [basic("other", TOKEN), basic("grafana", "wrong"), { authorization: "" }])
      expect((await call(values.GET, "/api/v1/label/job/values", { headers })).status).toBe(401);
  });

  it("refuse bad parameters with Prometheus's 400 and bad_data", async () => {
    expect(await call(labels.GET, "/api/v1/labels?limit=-1")).toEqual({
      status: 400,
      body: {
        status: "error",
        errorType: "bad_data",
        error: 'invalid parameter "limit": limit must be non-negative',
      },
    });
    expect(await call(values.GET, "/api/v1/label/a%2Db/values")).toEqual({
      status: 400,
      body: { status: "error", errorType: "bad_data", error: 'invalid label name: "a-b"' },
    });
  });
});
