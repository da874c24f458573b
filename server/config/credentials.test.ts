import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, parseConfigText } from "./load";

const base = `
environments:
  - { id: production, name: Production }
services:
  - id: backend
    name: Backend
    environments:
      production: { url: "https://navi.example.com" }
`;
const LONG = "a-credential-of-forty-characters-0123456";
const env: Record<string, string> = { LONG, SHORT: "short-credential-0123", EMPTY: "" };
const lookup = (n: string) => env[n];

function problems(text: string) {
  try {
    parseConfigText(text, "x.yaml", lookup);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected the config to be rejected");
}

const monitor = (extra: string) =>
  `${base}monitors:\n  - { id: api, service: backend, environment: production, type: http, url: "https://navi.example.com/health"${extra} }\n`;

describe("credentials written in the file", () => {
  it("are refused unless the whole value is one ${VAR}", () => {
    for (const value of ["hunter2hunter2hunter2", "hunter2${EMPTY:-}", "${LONG}-and-more"]) {
      const found = problems(`${base}integrations:\n  - { id: ci, token: "${value}" }\n`);
      expect(found).toContainEqual({
        path: "integrations[0].token",
        message: expect.stringContaining("must come from the environment"),
      });
    }
  });

  it("are refused in an http monitor's credential headers, which may keep their scheme", () => {
    expect(problems(monitor(`, headers: { Authorization: "Bearer abc123abc123" }`))).toContainEqual(
      {
        path: "monitors[0].headers.Authorization",
        message: expect.stringContaining("header carries a credential"),
      },
    );
    expect(problems(monitor(`, headers: { X-Api-Key: "k-0123456789" }`))[0]!.path).toBe(
      "monitors[0].headers.X-Api-Key",
    );
    const ok = parseConfigText(
      monitor(`, headers: { Authorization: "Bearer \${LONG}", X-Trace: plain }`),
      "x.yaml",
      lookup,
    );
    const m = ok.monitors[0]!;
    expect(m.type === "http" && m.headers.Authorization).toBe(`Bearer ${LONG}`);
  });

  it("are refused as the password of a URL", () => {
    const found = problems(
      `${base}backups:\n  - { id: pg, service: backend, environment: production, source: { type: command, command: [pg_dump, "postgres://navi:pa55word@db/navi"] }, destination: { type: local, path: /tmp/x } }\n`,
    );
    expect(found).toContainEqual({
      path: "backups[0].source.command[1]",
      message: expect.stringContaining("password in this URL must come from the environment"),
    });
    const ok = parseConfig(
      `${base}backups:\n  - { id: pg, service: backend, environment: production, source: { type: command, command: [pg_dump, "postgres://navi:\${LONG}@db/navi"] }, destination: { type: local, path: /tmp/x } }\n`,
      "x.yaml",
      lookup,
    );
    expect(ok.secrets).toContainEqual({ value: LONG, name: "LONG" });
  });
});

describe("credentials Opsdeck itself checks", () => {
  it("must be at least 32 characters, and the message never shows the value", () => {
    const found = problems(`${base}integrations:\n  - { id: ci, token: "\${SHORT}" }
monitors:
  - { id: hb, service: backend, environment: production, type: heartbeat, token: "\${SHORT}" }
alerts:
  channels:
    - { id: hook, type: webhook, url: "https://hooks.example.com", secret: "\${SHORT}" }
`);
    expect(found.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        "integrations[0].token",
        "monitors[0].token",
        "alerts.channels[0].secret",
      ]),
    );
    expect(JSON.stringify(found)).not.toContain(env.SHORT);
    expect(found.find((p) => p.path === "integrations[0].token")?.message).toMatch(
      /at least 32 characters/,
    );
  });
});

describe("a credential with a default written in the file", () => {
  const text = `${base}integrations:\n  - { id: ci, token: "\${CI_TOKEN:-${LONG}}" }\n`;

  it("is a warning naming the key (the default is a public credential)", () => {
    const { warnings, secrets } = parseConfig(text, "x.yaml", () => undefined);
    expect(warnings).toEqual([
      { path: "integrations[0].token", message: expect.stringContaining("CI_TOKEN is unset") },
    ]);
    // Used in place of the variable, the default is as secret as the variable.
    expect(secrets).toContainEqual({ value: LONG, name: "CI_TOKEN" });
  });

  it("is not a warning in the bundled demo's config", () => {
    expect(parseConfig(`demo: true\n${text}`, "x.yaml", () => undefined).warnings).toEqual([]);
  });
});

describe("variables a command is given", () => {
  it("are listed by name, and Opsdeck's own OPSDECK_* are refused", () => {
    const found = problems(
      `${base.replace(
        '{ url: "https://navi.example.com" }',
        '{ url: "https://navi.example.com", deploy: { provider: command, rollback: [./deploy.sh], env: [DEPLOY_KEY, OPSDECK_SECRET, "not a name"] } }',
      )}`,
    );
    expect(found).toContainEqual({
      path: "services[0].environments.production.deploy.env[1]",
      message: expect.stringContaining("never reach a command"),
    });
    expect(found).toContainEqual({
      path: "services[0].environments.production.deploy.env[2]",
      message: "expected an environment variable name",
    });
  });

  it("are secret values too", () => {
    const { secrets } = parseConfig(
      base.replace(
        '{ url: "https://navi.example.com" }',
        '{ url: "https://navi.example.com", deploy: { provider: command, rollback: [./deploy.sh], env: [LONG] } }',
      ),
      "x.yaml",
      lookup,
    );
    expect(secrets).toContainEqual({ value: LONG, name: "LONG" });
  });
});

describe("a credential too short to be redacted", () => {
  it("is a warning, so nobody relies on logs hiding it", () => {
    const { warnings } = parseConfig(
      `${base}auth:\n  oidc: { issuer: "https://id.example.com", clientId: x, clientSecret: "\${PW}" }\n`,
      "x.yaml",
      (n) => (n === "PW" ? "abc1234" : undefined),
    );
    expect(warnings).toEqual([
      { path: "auth.oidc.clientSecret", message: expect.stringContaining("not redacted") },
    ]);
  });
});
