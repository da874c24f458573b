import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfigFile, parseConfigText } from "./load";

const noEnv = () => undefined;
const base = `
environments:
  - { id: production, name: Production, protected: true }
  - { id: staging, name: Staging }
services:
  - id: backend
    name: Navi backend
    environments:
      production: { url: "https://navi.example.com" }
`;

function problems(text: string, lookup: (n: string) => string | undefined = noEnv) {
  try {
    parseConfigText(text, "/etc/opsdeck.yaml", lookup);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected the config to be rejected");
}

describe("config", () => {
  it("parses a valid file with defaults filled in", () => {
    const config = parseConfigText(base, "x.yaml", noEnv);
    expect(config.environments[0]).toEqual({
      id: "production",
      name: "Production",
      protected: true,
    });
    expect(config.environments[1]!.protected).toBe(false);
    expect(config.services[0]!.environments.production!.url).toBe("https://navi.example.com");
    expect(config.title).toBe("Opsdeck");
    expect(config.housekeeping.schedule).toBe("30 3 * * *");
  });

  it("ships an example config that validates", () => {
    const file = path.join(__dirname, "..", "..", "opsdeck.example.yaml");
    const { config } = loadConfigFile(file, noEnv);
    expect(config.environments.map((e) => e.id)).toEqual(["production", "staging"]);
    expect(config.services[0]!.environments.staging!.url).toBe("http://127.0.0.1:4102");
  });

  it("names the file, the key path and what was expected", () => {
    const text = base.replace("protected: true", "protected: yes-please");
    try {
      parseConfigText(text, "/etc/opsdeck.yaml", noEnv);
      expect.unreachable();
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain("/etc/opsdeck.yaml");
      expect(message).toContain("environments[0].protected");
      expect(message).toMatch(/expected boolean/);
    }
  });

  it("reports unknown keys", () => {
    const found = problems(`${base}enviroments: []\n`);
    expect(found).toEqual([{ path: "(top level)", message: 'unknown key "enviroments"' }]);
  });

  it("reports duplicate ids and unknown environment references together", () => {
    const text = base
      .replace("      production:", "      prod:")
      .replace("- { id: staging, name: Staging }", "- { id: production, name: Again }");
    const found = problems(text);
    expect(found).toContainEqual({
      path: "environments[1].id",
      message: 'duplicate environment id "production"',
    });
    expect(found).toContainEqual({
      path: "services[0].environments.prod",
      message: 'unknown environment "prod"; expected one of: production, production',
    });
  });

  it("resolves ${VAR} after parsing, with defaults and $${ escapes", () => {
    const text = base
      .replace('"https://navi.example.com"', '"${NAVI_URL}"')
      .replace("Navi backend", () => "Costs $${HOME} ${MISSING:-free}");
    const config = parseConfigText(text, "x.yaml", (n) =>
      n === "NAVI_URL" ? "https://from-env.example.com" : undefined,
    );
    expect(config.services[0]!.environments.production!.url).toBe("https://from-env.example.com");
    expect(config.services[0]!.name).toBe("Costs ${HOME} free");
  });

  it("a variable's value cannot change the document's structure", () => {
    const text = base.replace("Navi backend", '"${EVIL}"');
    const config = parseConfigText(text, "x.yaml", () => "x\nenvironments: []\n  - hacked: true");
    expect(config.services[0]!.name).toBe("x\nenvironments: []\n  - hacked: true");
    expect(config.environments).toHaveLength(2);
  });

  it("says which variable is missing and where", () => {
    const found = problems(base.replace('"https://navi.example.com"', '"${NAVI_URL}"'));
    expect(found).toContainEqual({
      path: "services[0].environments.production.url",
      message: "environment variable NAVI_URL is not set",
    });
  });

  it("refuses credentials written inline", () => {
    const text = `${base}auth:
  oidc:
    issuer: https://id.example.com
    clientId: opsdeck
    clientSecret: hunter2hunter2
`;
    const found = problems(text);
    expect(found).toContainEqual({
      path: "auth.oidc.clientSecret",
      message: expect.stringContaining("must come from the environment"),
    });
  });

  it("keeps secrets out of JSON and strings", () => {
    const text = `${base}auth:
  oidc:
    issuer: https://id.example.com
    clientId: opsdeck
    clientSecret: \${OIDC_SECRET}
`;
    const config = parseConfigText(text, "x.yaml", (n) =>
      n === "OIDC_SECRET" ? "s3cr3t-value" : undefined,
    );
    const secret = config.auth.oidc!.clientSecret;
    expect(secret.reveal()).toBe("s3cr3t-value");
    expect(JSON.stringify(config)).not.toContain("s3cr3t-value");
    expect(`${secret}`).toBe("[redacted]");
  });

  it("reports YAML syntax errors with line and column", () => {
    const found = problems("environments:\n  - id: [unclosed\n");
    expect(found[0]!.path).toMatch(/^line \d+, column \d+$/);
  });

  it("rejects a document that is not a mapping, and duplicate keys", () => {
    expect(problems("- just\n- a list\n")[0]!.message).toBe("expected a mapping of keys");
    expect(problems(`${base}title: a\ntitle: b\n`)[0]!.message).toMatch(/unique|duplicate/i);
  });

  it("explains a missing or unreadable file", () => {
    const missing = path.join(os.tmpdir(), "definitely-not-here.yaml");
    expect(() => loadConfigFile(missing, noEnv)).toThrow(/file not found \(set OPSDECK_CONFIG/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cfg-"));
    expect(() => loadConfigFile(dir, noEnv)).toThrow(/is not a regular file/);
  });

  it("rejects ids that are not slugs", () => {
    const found = problems(base.replace("id: staging", 'id: "Staging Env"'));
    expect(found[0]).toEqual({
      path: "environments[1].id",
      message: expect.stringContaining("lowercase letters"),
    });
  });
});

describe("monitor config", () => {
  const withMonitors = (monitors: string, extra = "") => `${base}monitors:\n${monitors}${extra}`;

  it("parses each monitor type with defaults and durations in milliseconds", () => {
    const config = parseConfigText(
      withMonitors(`  - { id: api, service: backend, environment: production, type: http, url: "https://navi.example.com/health", expect: { status: "200-299,304", keyword: ok, maxResponseTime: 1s } }
  - { id: port, service: backend, environment: production, type: tcp, host: navi.example.com, port: "5432" }
  - { id: cert, service: backend, environment: production, type: tls, host: navi.example.com }
  - { id: backup, service: backend, environment: production, type: heartbeat, token: "\${HB}", period: 1d, grace: 1h }
`),
      "x.yaml",
      (n) => (n === "HB" ? "a-heartbeat-token-of-length-0123456789" : undefined),
    );
    const [api, port, cert, backup] = config.monitors;
    expect(api).toMatchObject({
      interval: 60_000,
      retries: 1,
      retryInterval: 20_000,
      timeout: 10_000,
      method: "GET",
    });
    expect(api!.type === "http" && api!.expect).toMatchObject({
      status: [
        [200, 299],
        [304, 304],
      ],
      keyword: "ok",
      maxResponseTime: 1000,
    });
    expect(port).toMatchObject({ port: 5432 });
    expect(cert).toMatchObject({ port: 443, warnDays: 21 });
    expect(backup).toMatchObject({ period: 86_400_000, grace: 3_600_000 });
    expect(JSON.stringify(config)).not.toContain("a-heartbeat-token-of-length-0123456789");
  });

  it("explains bad monitors: interval too short, unknown references, bad status lists, bad durations", () => {
    const found = problems(
      withMonitors(`  - { id: a, service: nope, environment: prod, type: http, url: "https://x.example", interval: 1s }
  - { id: b, service: backend, environment: production, type: http, url: "https://x.example", expect: { status: "2xx" } }
  - { id: c, service: backend, environment: production, type: tcp, host: x, port: 80, timeout: soon }
  - { id: d, service: backend, environment: production, type: ping }
`),
    );
    expect(found).toContainEqual({ path: "monitors[0].interval", message: "must be at least 10s" });
    expect(found.find((p) => p.path === "monitors[1].expect.status")?.message).toMatch(
      /expected status codes/,
    );
    expect(found).toContainEqual({
      path: "monitors[2].timeout",
      message: 'expected a duration such as "30s", "5m" or "1h", got "soon"',
    });
    expect(found.find((p) => p.path === "monitors[3].type")?.message).toMatch(
      /"http", "tcp", "tls", "heartbeat"/,
    );
  });

  it("checks that monitors name declared services and environments", () => {
    const found = problems(
      withMonitors(
        `  - { id: a, service: nope, environment: prod, type: tcp, host: x, port: 1 }\n`,
      ),
    );
    expect(found).toContainEqual({
      path: "monitors[0].service",
      message: 'unknown service "nope"; expected one of: backend',
    });
    expect(found).toContainEqual({
      path: "monitors[0].environment",
      message: 'unknown environment "prod"; expected one of: production, staging',
    });
  });

  it("requires heartbeat tokens from the environment and keeps maintenance windows coherent", () => {
    const inline = problems(
      withMonitors(
        `  - { id: hb, service: backend, environment: production, type: heartbeat, token: literal-token-1234567890 }\n`,
      ),
    );
    expect(inline[0]).toMatchObject({
      path: "monitors[0].token",
      message: expect.stringContaining("must come from the environment"),
    });
    const windows = problems(
      `${base}maintenanceWindows:
  - { id: both, start: "2026-12-01T02:00:00Z", end: "2026-12-01T01:00:00Z" }
  - { id: half, cron: "0 2 * * 0" }
  - { id: ref, cron: "0 2 * * 0", duration: 30m, monitors: [nope] }
`,
    );
    expect(windows).toContainEqual({
      path: "maintenanceWindows[0].end",
      message: "a one-off window needs start and an end after it",
    });
    expect(windows).toContainEqual({
      path: "maintenanceWindows[1]",
      message: "a recurring window needs both cron and duration",
    });
    expect(windows).toContainEqual({
      path: "maintenanceWindows[2].monitors[0]",
      message: 'unknown monitor "nope"',
    });
  });
});
