import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretValue } from "@/server/config/secret-value";
import {
  hasPrometheus,
  PROMTOOL_BIN,
  startPrometheusWithHistory,
  type PrometheusServer,
} from "@/test/prometheus-server";
import { PromApiError } from "./prom-errors";
import { forwardToDatasource } from "./remote-datasource";

// The `prometheus` datasource against the real thing: Debian's Prometheus 2.42 with a
// backfilled history answers what Opsdeck forwards, as it is.
const installed = hasPrometheus() && fs.existsSync(PROMTOOL_BIN);
if (!installed && process.env.CI) throw new Error("Prometheus and promtool are required on CI");

const T0 = 1_700_000_000;

describe.skipIf(!installed)("a Prometheus datasource", () => {
  let prom: PrometheusServer;
  beforeAll(async () => {
    const lines = ["# TYPE navi_taps_sent counter"];
    for (let i = 0; i < 40; i++)
      lines.push(`navi_taps_sent_total{job="navi"} ${i * 10} ${T0 + i * 15}`);
    lines.push("# EOF", "");
    prom = await startPrometheusWithHistory(lines.join("\n"));
  }, 60_000);
  afterAll(async () => {
    await prom?.stop();
  });

  const ds = (url: string) => ({ type: "prometheus" as const, url, timeout: 5000 });

  it("answers instant and range queries, series and label values with Prometheus's own JSON", async () => {
    const params = new URLSearchParams({
      query: "rate(navi_taps_sent_total[5m])",
      time: String(T0 + 590),
    });
    const res = await forwardToDatasource(ds(prom.url), "/api/v1/query", params);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.status).toBe("success");
    expect(body.data.result[0].metric).toEqual({ job: "navi" });
    expect(Number(body.data.result[0].value[1])).toBeCloseTo(10 / 15, 9);

    const range = await forwardToDatasource(
      ds(prom.url),
      "/api/v1/query_range",
      new URLSearchParams({
        query: "navi_taps_sent_total",
        start: String(T0),
        end: String(T0 + 585),
        step: "15",
      }),
    );
    expect((await range.json()).data.result[0].values).toHaveLength(40);
    const values = await forwardToDatasource(
      ds(`${prom.url}/`),
      "/api/v1/label/job/values",
      new URLSearchParams(),
    );
    expect((await values.json()).data).toEqual(["navi"]);
  });

  it("passes Prometheus's errors through with their status and type", async () => {
    const res = await forwardToDatasource(
      ds(prom.url),
      "/api/v1/query",
      new URLSearchParams({ query: "rate(x)" }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: "error", errorType: "bad_data" });
  });

  it("says the datasource is unavailable when it does not answer, never a wrong answer", async () => {
    const gone = await forwardToDatasource(
      ds("http://127.0.0.1:1"),
      "/api/v1/query",
      new URLSearchParams({ query: "up" }),
    ).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(PromApiError);
    expect((gone as PromApiError).errorType).toBe("unavailable");
    expect((gone as PromApiError).message).toBe(
      "the prometheus datasource (http://127.0.0.1:1) is unreachable",
    );
  });

  it("sends the bearer token it is given, and only to the datasource", async () => {
    let seen: string | null = null;
    const fake: typeof fetch = async (_url, init) => {
      seen = new Headers(init?.headers).get("authorization");
      return Response.json({ status: "success", data: [] });
    };
    await forwardToDatasource(
      { ...ds("http://prom.internal:9090"), bearerToken: new SecretValue("ds-token") },
      "/api/v1/labels",
      new URLSearchParams(),
      fake,
    );
    expect(seen).toBe("Bearer ds-token");
  });
});
