import { describe, expect, it } from "vitest";
import { ConfigError, parseConfigText } from "./load";
import { instanceOf } from "./metrics-schema";

const env: Record<string, string> = {
  NAVI_METRICS_TOKEN: "a-bearer-token",
  PUSH_TOKEN: "p".repeat(40),
  GRAFANA_TOKEN: "g".repeat(40),
  SHORT_TOKEN: "short",
};
const lookup = (n: string) => env[n];
const base = `
environments:
  - { id: production, name: Production }
  - { id: staging, name: Staging }
services:
  - { id: backend, name: Navi backend, environments: {} }
`;

const parse = (extra: string) => parseConfigText(base + extra, "/etc/opsdeck.yaml", lookup);

function problems(extra: string): string[] {
  try {
    parse(extra);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error("expected the config to be rejected");
}

describe("scrape: and metrics: in opsdeck.yaml", () => {
  it("fills Prometheus's defaults: 15 s interval, the limits, 15 d / 90 d / 400 d retention, the built-in store", () => {
    const c = parse("");
    expect(c.scrape.interval).toBe(15_000);
    expect(c.scrape.targets).toEqual([]);
    expect(c.scrape.limits).toEqual({
      bodyBytes: 10 * 1024 * 1024,
      samples: 50_000,
      labels: 64,
      labelNameLength: 128,
      labelValueLength: 2048,
    });
    expect(c.metrics.retention).toEqual({
      raw: 15 * 86_400_000,
      fiveMinute: 90 * 86_400_000,
      hour: 400 * 86_400_000,
    });
    expect(c.metrics.datasource).toEqual({ type: "builtin" });
  });

  it("reads a target with replicas, credentials by env var, labels and metric relabelling", () => {
    const c = parse(`
scrape:
  interval: 30s
  targets:
    - id: navi
      service: backend
      environment: production
      urls: ["http://10.0.0.1:4101/metrics", "https://navi-2.internal/metrics"]
      timeout: 5s
      bearerToken: \${NAVI_METRICS_TOKEN}
      labels: { region: eu }
      metricRelabel:
        - { action: drop, regex: "go_.*" }
        - { action: keep, sourceLabels: [__name__, method], regex: "http_.*;GET|up;.*" }
`);
    const t = c.scrape.targets[0]!;
    expect(t.urls).toHaveLength(2);
    expect(t.timeout).toBe(5000);
    expect(t.bearerToken?.reveal()).toBe("a-bearer-token");
    expect(t.metricRelabel[0]!.sourceLabels).toEqual(["__name__"]);
    expect(t.metricRelabel[0]!.regex.test("go_goroutines")).toBe(true);
    // Fully anchored, as Prometheus's relabel regexes are.
    expect(t.metricRelabel[0]!.regex.test("process_go_x")).toBe(false);
    expect(t.metricRelabel[1]!.separator).toBe(";");
    expect(t.metricRelabel[1]!.regex.test("http_requests_total;GET")).toBe(true);
    expect(instanceOf(t.urls[0]!)).toBe("10.0.0.1:4101");
    expect(instanceOf(t.urls[1]!)).toBe("navi-2.internal:443");
    expect(instanceOf("http://[::1]/metrics")).toBe("[::1]:80");
  });

  it("refuses what would scrape wrongly or leak, naming the key", () => {
    const target = (extra: string) => `
scrape:
  targets:
    - id: navi
      service: backend
      environment: production
      urls: ["http://127.0.0.1:4101/metrics"]
${extra}`;
    expect(problems(target("      timeout: 20s"))).toEqual([
      "scrape.targets[0].timeout: the timeout (20s) must not be longer than the interval (15s)",
    ]);
    expect(problems(target(`      metricRelabel: [{ action: keep, regex: "(a" }]`))[0]).toMatch(
      /^scrape\.targets\[0\]\.metricRelabel\[0\]\.regex: is not a valid regular expression/,
    );
    expect(
      problems(target(`      metricRelabel: [{ action: keep, regex: "(a)\\\\1" }]`))[0],
    ).toMatch(/regex: is not a valid regular expression/);
    expect(problems(target(`      labels: { __meta: x }`))).toEqual([
      'scrape.targets[0].labels.__meta: "__meta": label names starting with __ are reserved',
    ]);
    expect(problems(target(`      labels: { "1x": x }`))[0]).toMatch(/label name/);
    expect(
      problems(`
scrape:
  targets:
    - id: navi
      service: backend
      environment: production
      urls: ["http://user@127.0.0.1:4101/metrics"]
`)[0],
    ).toMatch(/credentials do not belong in the URL/);
    expect(
      problems(`
scrape:
  targets:
    - id: navi
      service: nope
      environment: qa
      urls: ["http://127.0.0.1:4101/metrics", "http://127.0.0.1:4101/other"]
    - id: navi
      service: backend
      environment: production
      urls: ["ftp://127.0.0.1/metrics"]
`),
    ).toEqual(
      expect.arrayContaining([
        'scrape.targets[0].service: unknown service "nope"; expected one of: backend',
        'scrape.targets[0].environment: unknown environment "qa"; expected one of: production, staging',
        'scrape.targets[0].urls[1]: two URLs are the same instance "127.0.0.1:4101"; each replica needs its own host:port',
        'scrape.targets[1].id: duplicate scrape target id "navi"',
        "scrape.targets[1].urls[0]: expected an http(s) URL",
      ]),
    );
  });

  it("takes push sources and API tokens by env var, at least 32 characters and unique", () => {
    const c = parse(`
metrics:
  push:
    - { id: ios, service: backend, environment: production, token: "\${PUSH_TOKEN}" }
  apiTokens:
    - { id: grafana, token: "\${GRAFANA_TOKEN}" }
`);
    expect(c.metrics.push[0]!.token.reveal()).toBe(env.PUSH_TOKEN);
    expect(c.metrics.apiTokens[0]!.id).toBe("grafana");
    expect(
      problems(`
metrics:
  push:
    - { id: ios, service: backend, environment: production, token: "\${SHORT_TOKEN}" }
`)[0],
    ).toMatch(/^metrics\.push\[0\]\.token: must be at least 32 characters/);
    expect(
      problems(`
metrics:
  push:
    - { id: ios, service: backend, environment: production, token: "\${PUSH_TOKEN}" }
  apiTokens:
    - { id: grafana, token: "\${PUSH_TOKEN}" }
`).join("\n"),
    ).toMatch(/this token is also used at/);
  });

  it("takes a Prometheus-compatible datasource instead of the built-in store", () => {
    const c = parse(`
metrics:
  datasource: { type: prometheus, url: "http://127.0.0.1:9090", bearerToken: "\${GRAFANA_TOKEN}" }
`);
    expect(c.metrics.datasource).toMatchObject({
      type: "prometheus",
      url: "http://127.0.0.1:9090",
      timeout: 30_000,
    });
    expect(
      problems(`
metrics:
  datasource: { type: victoria }
`)[0],
    ).toMatch(/^metrics\.datasource/);
  });
});
