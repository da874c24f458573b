import { describe, expect, it } from "vitest";
import { ConfigError, parseConfigText } from "./load";

const base = `
environments:
  - { id: production, name: Production }
  - { id: staging, name: Staging }
services:
  - id: backend
    name: Backend
    environments:
      production: { url: "https://backend.example.com" }
`;

const env: Record<string, string> = {
  CI_A: "token-a-0123456789abcdef0123456789abcdef",
  CI_B: "token-b-0123456789abcdef0123456789abcdef",
  SAME: "token-a-0123456789abcdef0123456789abcdef",
  HB: "token-a-0123456789abcdef0123456789abcdef",
  HOOK: "token-b-0123456789abcdef0123456789abcdef",
};

function problems(text: string) {
  try {
    parseConfigText(text, "opsdeck.yaml", (n) => env[n]);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const { problems, message } = err as ConfigError;
    for (const value of new Set(Object.values(env))) expect(message).not.toContain(value);
    return problems;
  }
  return [];
}

describe("integration tokens", () => {
  it("two integrations with the same token are refused, naming both places (and never the token)", () => {
    expect(
      problems(`${base}integrations:
  - { id: a, token: "\${CI_A}" }
  - { id: b, token: "\${SAME}" }
`),
    ).toEqual([
      {
        path: "integrations[0].token",
        message: expect.stringMatching(/also used at integrations\[1\]\.token; .*unique/),
      },
      { path: "integrations[1].token", message: expect.stringContaining("integrations[0].token") },
    ]);
  });

  it("a token shared with a heartbeat monitor or another credential is refused", () => {
    const found = problems(`${base}integrations:
  - { id: a, token: "\${CI_A}" }
  - { id: b, token: "\${CI_B}" }
monitors:
  - { id: hb, service: backend, environment: production, type: heartbeat, token: "\${HB}" }
alerts:
  channels:
    - { id: hook, type: webhook, url: "https://hooks.example.com/x", secret: "\${HOOK}" }
`);
    expect(found).toContainEqual({
      path: "integrations[0].token",
      message: expect.stringContaining("monitors[0].token"),
    });
    expect(found).toContainEqual({
      path: "monitors[0].token",
      message: expect.stringContaining("integrations[0].token"),
    });
    expect(found).toContainEqual({
      path: "integrations[1].token",
      message: expect.stringContaining("alerts.channels[0].secret"),
    });
  });

  it("distinct tokens pass; a scope names declared services and environments", () => {
    const config = parseConfigText(
      `${base}integrations:
  - { id: a, token: "\${CI_A}" }
  - { id: b, token: "\${CI_B}", services: [backend], environments: [staging] }
`,
      "opsdeck.yaml",
      (n) => env[n],
    );
    expect(config.integrations.map((i) => [i.id, i.services, i.environments])).toEqual([
      ["a", [], []],
      ["b", ["backend"], ["staging"]],
    ]);
    expect(
      problems(`${base}integrations:
  - { id: a, token: "\${CI_A}", services: [web], environments: [prod] }
  - { id: a, token: "\${CI_B}" }
`),
    ).toEqual([
      { path: "integrations[1].id", message: 'duplicate integration id "a"' },
      {
        path: "integrations[0].services[0]",
        message: 'unknown service "web"; expected one of: backend',
      },
      {
        path: "integrations[0].environments[0]",
        message: 'unknown environment "prod"; expected one of: production, staging',
      },
    ]);
  });
});
