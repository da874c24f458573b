import { beforeEach, describe, expect, it, vi } from "vitest";
import { GET as alerts } from "@/app/api/v1/alerts/route";
import * as exemplarsRoute from "@/app/api/v1/query_exemplars/route";
import * as rulesRoute from "@/app/api/v1/rules/route";
import * as buildinfoRoute from "@/app/api/v1/status/buildinfo/route";
import { APP_VERSION } from "@/lib/version";
import type { SessionUser } from "@/server/auth/session";
import { makeUser } from "@/test/callers";
import { freshDb } from "@/test/db";
import { BASIC, BEARER, callRoute, installMetricsToken, TOKEN_ID } from "@/test/metrics-api";

// Error texts are Prometheus's own (web/api/v1/api.go; checked against Debian's 2.42 where
// the endpoint and parameter exist there), so a client that matches on them keeps working.

let caller: SessionUser | null = null;
vi.mock("@/server/auth/session", () => ({ getSessionUser: async () => caller }));

beforeEach(() => {
  freshDb();
  installMetricsToken();
  caller = null;
});

const buildinfo = buildinfoRoute.GET;
const rules = rulesRoute.GET;
const exemplars = exemplarsRoute.GET;
const exemplarsPost = exemplarsRoute.POST;

async function bad(res: Response, error: string) {
  expect(res.status).toBe(400);
  expect(await res.json()).toEqual({ status: "error", errorType: "bad_data", error });
}

describe("GET /api/v1/status/buildinfo", () => {
  it("says which Prometheus API this is, with no features (Grafana: Prometheus, no ruler API)", async () => {
    const res = await callRoute(buildinfo, "/api/v1/status/buildinfo", { headers: BEARER });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({
      status: "success",
      data: {
        application: "Opsdeck",
        version: "2.42.0",
        revision: `opsdeck-${APP_VERSION}`,
        branch: "",
        buildUser: "",
        buildDate: "",
        goVersion: "",
      },
    });
  });

  it("answers about Opsdeck itself with a prometheus datasource, where rules are forwarded", async () => {
    // Port 9 (discard) refuses connections: a forwarded request fails at once.
    installMetricsToken({ type: "prometheus", url: "http://127.0.0.1:9", timeout: 2000 });
    const own = await callRoute(buildinfo, "/api/v1/status/buildinfo", { headers: BEARER });
    expect(own.status).toBe(200);
    expect((await own.json()).data.application).toBe("Opsdeck");
    const forwarded = await callRoute(rules, "/api/v1/rules", { headers: BEARER });
    expect(forwarded.status).toBe(503);
    expect(await forwarded.json()).toEqual({
      status: "error",
      errorType: "unavailable",
      error: "the prometheus datasource (http://127.0.0.1:9) is unreachable",
    });
  });

  it("needs a metrics API token (Bearer, or Basic with its id) or a viewer's session", async () => {
    const anonymous = await callRoute(buildinfo, "/api/v1/status/buildinfo");
    expect(anonymous.status).toBe(401);
    expect(JSON.stringify(await anonymous.json())).not.toContain("2.42.0");
    const wrong = await callRoute(buildinfo, "/api/v1/status/buildinfo", {
      headers: { authorization: "Bearer not-the-token-not-the-token-000000" },
    });
    expect(wrong.status).toBe(401);
    const wrongBasic = await callRoute(buildinfo, "/api/v1/status/buildinfo", {
      headers: { authorization: `Basic ${Buffer.from(`${TOKEN_ID}:nope`).toString("base64")}` },
    });
    expect(wrongBasic.status).toBe(401);
    const basic = await callRoute(buildinfo, "/api/v1/status/buildinfo", { headers: BASIC });
    expect(basic.status).toBe(200);
    caller = await makeUser(freshDb(), "viewer");
    const session = await callRoute(buildinfo, "/api/v1/status/buildinfo");
    expect(session.status).toBe(200);
  });

  it("is GET only, like rules and alerts (Next answers 405 to the other methods, as Prometheus does)", () => {
    expect(Object.keys(buildinfoRoute).filter((k) => /^[A-Z]+$/.test(k))).toEqual(["GET"]);
    expect(Object.keys(rulesRoute).filter((k) => /^[A-Z]+$/.test(k))).toEqual(["GET"]);
    expect(
      Object.keys(exemplarsRoute)
        .filter((k) => /^[A-Z]+$/.test(k))
        .sort(),
    ).toEqual(["GET", "POST"]);
  });
});

describe("GET|POST /api/v1/query_exemplars", () => {
  it("finds no exemplars for a query with a selector, by GET or by a POST form", async () => {
    const get = await callRoute(
      exemplars,
      "/api/v1/query_exemplars?query=rate(http_requests_total%5B5m%5D)&start=100&end=200",
      { headers: BEARER },
    );
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ status: "success", data: [] });
    const post = await callRoute(exemplarsPost, "/api/v1/query_exemplars", {
      headers: BEARER,
      form: "end=200&query=histogram_quantile%280.9%2C+x_bucket%29&start=100",
    });
    expect(await post.json()).toEqual({ status: "success", data: [] });
  });

  it("answers 204 with no body to a query without a selector, as Prometheus", async () => {
    const res = await callRoute(exemplars, "/api/v1/query_exemplars?query=1%2B1", {
      headers: BEARER,
    });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
  });

  it.each([
    ["", "1:1: parse error: no expression found in input"],
    ["?query=", "1:1: parse error: no expression found in input"],
    [
      "?query=rate(up)",
      '1:6: parse error: expected type range vector in call to function "rate", got instant vector',
    ],
    ["?query=nosuch(up)", '1:1: parse error: unknown function with name "nosuch"'],
    [
      "?query=up&start=yesterday",
      `invalid parameter "start": invalid time value for 'start': cannot parse "yesterday" to a valid timestamp`,
    ],
    [
      "?query=up&end=1e400",
      `invalid parameter "end": invalid time value for 'end': cannot parse "1e400" to a valid timestamp`,
    ],
    ["?query=up&start=10&end=5", "end timestamp must not be before start timestamp"],
  ])("refuses %s with Prometheus's error", async (query, error) => {
    await bad(
      await callRoute(exemplars, `/api/v1/query_exemplars${query}`, { headers: BEARER }),
      error,
    );
  });

  it("refuses a POST body that is not a form, or larger than 1 MiB", async () => {
    await bad(
      await callRoute(exemplarsPost, "/api/v1/query_exemplars", {
        headers: { ...BEARER, "content-type": "application/json" },
        form: '{"query":"up"}',
      }),
      "POST bodies must be application/x-www-form-urlencoded",
    );
    await bad(
      await callRoute(exemplarsPost, "/api/v1/query_exemplars", {
        headers: BEARER,
        form: `query=up&pad=${"x".repeat(1024 * 1024)}`,
      }),
      "request body too large",
    );
  });
});

describe("GET /api/v1/rules and /api/v1/alerts", () => {
  it("list no rule groups and no alerts, whatever the (valid) filters", async () => {
    for (const query of [
      "",
      "?type=alert",
      "?type=RECORD&exclude_alerts=TRUE",
      "?rule_name[]=x&rule_group[]=y&file[]=z",
      "?match[]=up&match[]=%7Bjob%3D%22api%22%7D",
      "?group_limit=5",
    ]) {
      const res = await callRoute(rules, `/api/v1/rules${query}`, { headers: BEARER });
      expect(res.status, query).toBe(200);
      expect(await res.json()).toEqual({ status: "success", data: { groups: [] } });
    }
    const res = await callRoute(alerts, "/api/v1/alerts", { headers: BEARER });
    expect(await res.json()).toEqual({ status: "success", data: { alerts: [] } });
    expect((await callRoute(alerts, "/api/v1/alerts")).status).toBe(401);
  });

  it.each([
    ["?type=alerting", 'invalid parameter "type": not supported value "alerting"'],
    [
      "?exclude_alerts=yes",
      'invalid parameter "exclude_alerts": error converting exclude_alerts: strconv.ParseBool: parsing "yes": invalid syntax',
    ],
    [
      "?group_limit=ten",
      'invalid parameter "group_limit": group_limit needs to be a valid number: strconv.ParseInt: parsing "ten": invalid syntax',
    ],
    [
      "?group_limit=3000000000",
      'invalid parameter "group_limit": group_limit needs to be a valid number: strconv.ParseInt: parsing "3000000000": value out of range',
    ],
    ["?group_limit=0", 'invalid parameter "group_limit": group_limit needs to be greater than 0'],
    [
      "?group_next_token=abc",
      'invalid parameter "group_next_token": group_limit needs to be present in order to paginate over the groups',
    ],
    [
      "?group_limit=2&group_next_token=abc",
      "invalid parameter \"group_next_token\": invalid group_next_token 'abc'. were rule groups changed?",
    ],
    ["?match[]=%7B%7D", "match[] must contain at least one non-empty matcher"],
  ])("refuses %s with Prometheus's error", async (query, error) => {
    await bad(await callRoute(rules, `/api/v1/rules${query}`, { headers: BEARER }), error);
  });
});
