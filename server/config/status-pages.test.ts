import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfigFile, parseConfigText } from "./load";

const noEnv = () => undefined;
const base = `
environments:
  - { id: production, name: Production }
services:
  - { id: backend, name: Navi backend, environments: { production: { url: "https://navi.example.com" } } }
  - { id: web, name: Web app, environments: { production: { url: "https://web.example.com" } } }
`;

function problems(text: string) {
  try {
    parseConfigText(text, "/etc/opsdeck.yaml", noEnv);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected the config to be rejected");
}

describe("statusPages config", () => {
  it("parses a page with defaults filled in", () => {
    const config = parseConfigText(
      `${base}statusPages:\n  - { id: public, path: navi, title: Navi status, services: [backend, web] }\n`,
      "x.yaml",
      noEnv,
    );
    expect(config.statusPages).toEqual([
      {
        id: "public",
        path: "navi",
        title: "Navi status",
        services: ["backend", "web"],
        cacheSeconds: 30,
      },
    ]);
  });

  it("defaults to no status pages", () => {
    expect(parseConfigText(base, "x.yaml", noEnv).statusPages).toEqual([]);
  });

  it("names an unknown service, with the choices", () => {
    expect(
      problems(
        `${base}statusPages:\n  - { id: p, path: navi, title: T, services: [backend, api] }\n`,
      ),
    ).toContainEqual({
      path: "statusPages[0].services[1]",
      message: 'unknown service "api"; expected one of: backend, web',
    });
  });

  it("refuses a path that is not a slug, and an empty service list", () => {
    const found = problems(
      `${base}statusPages:\n  - { id: p, path: "Navi/Status", title: T, services: [] }\n`,
    );
    expect(found).toContainEqual({
      path: "statusPages[0].path",
      message: expect.stringContaining("expected a path slug"),
    });
    expect(found).toContainEqual({
      path: "statusPages[0].services",
      message: "expected at least one service",
    });
  });

  it("refuses duplicate ids, duplicate paths and an unknown environment", () => {
    const found = problems(
      `${base}statusPages:
  - { id: p, path: navi, title: T, services: [backend] }
  - { id: p, path: navi, title: U, services: [web], environment: prod }
`,
    );
    expect(found).toContainEqual({
      path: "statusPages[1].id",
      message: 'duplicate status page id "p"',
    });
    expect(found).toContainEqual({
      path: "statusPages[1].path",
      message: 'duplicate status page path "navi"',
    });
    expect(found).toContainEqual({
      path: "statusPages[1].environment",
      message: 'unknown environment "prod"; expected one of: production',
    });
  });

  it("the demo config ships a status page", () => {
    const file = path.join(__dirname, "..", "..", "opsdeck.example.yaml");
    const { config } = loadConfigFile(file, noEnv);
    expect(config.statusPages.map((p) => p.path)).toEqual(["navi"]);
  });
});
