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
    expect(config.services[0]!.environments.production!.healthPath).toBe("/health");
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
