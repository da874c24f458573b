import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseDocument } from "yaml";
import { beforeEach, describe, expect, it } from "vitest";
import {
  configWritability,
  contentHash,
  editConfigText,
  entrySource,
  planConfigEdit,
  readConfigSource,
  writeConfigAtomically,
  type ConfigEdit,
} from "./edit";

const SOURCE = `# Opsdeck for the edit tests.
title: Edit tests

environments:
  - { id: production, name: Production }

services:
  - id: backend
    name: Backend   # the API
    environments:
      production: { url: "\${BACKEND_URL}" }

monitors:
  # The health endpoint: the one that pages.
  - id: health
    service: backend
    environment: production
    type: http
    url: "\${BACKEND_URL}/health"   # interpolated at load
    interval: 30s

  - { id: db-port, service: backend, environment: production, type: tcp, host: db.internal, port: 5432 }
# Alerting below.
alerts:
  rules: []
  channels:
    - id: ops-slack
      type: slack
      webhookUrl: \${SLACK_WEBHOOK}
`;

const ENV: Record<string, string> = {
  BACKEND_URL: "https://backend.example.com",
  SLACK_WEBHOOK: "https://hooks.slack.example.com/services/T000/B000/very-secret-part",
};
const lookup = (name: string) => ENV[name];

const plan = (edit: ConfigEdit, listPath: readonly string[] = ["monitors"], text = SOURCE) =>
  planConfigEdit({ text, file: "/etc/opsdeck/opsdeck.yaml", listPath, edit, lookup });

const NEW_MONITOR = `# The marketing site.
id: www
service: backend
environment: production
type: http
url: https://www.example.com
interval: 2m
`;

describe("editing the config text", () => {
  it("adds a monitor after the last one; every other byte of the file stays", () => {
    const { text, diff } = plan({ op: "add", entry: NEW_MONITOR });
    const added = `  # The marketing site.
  - id: www
    service: backend
    environment: production
    type: http
    url: https://www.example.com
    interval: 2m
`;
    const at = SOURCE.indexOf("# Alerting below.");
    expect(text).toBe(SOURCE.slice(0, at) + added + SOURCE.slice(at));
    expect(diff).toContain("+  - id: www");
    expect(diff.split("\n").filter((l) => l.startsWith("-") && !l.startsWith("---"))).toEqual([]);
  });

  it("replaces one field of an entry: the entry's other lines and comments stay", () => {
    const entry = entrySource(SOURCE, ["monitors"], "health").replace(
      "interval: 30s",
      "interval: 45s",
    );
    const { text, diff } = plan({ op: "replace", id: "health", entry });
    expect(text).toBe(SOURCE.replace("interval: 30s", "interval: 45s"));
    expect(diff).toContain("-    interval: 30s\n+    interval: 45s");
  });

  it("keeps a flow-style entry in flow style when it is replaced", () => {
    const entry = entrySource(SOURCE, ["monitors"], "db-port").replace("5432", "6432");
    const { text } = plan({ op: "replace", id: "db-port", entry });
    expect(text).toBe(SOURCE.replace("port: 5432", "port: 6432"));
  });

  it("removes an entry by id and only its lines", () => {
    const { text } = plan({ op: "remove", id: "db-port" });
    expect(text).toBe(SOURCE.replace(/ {2}- \{ id: db-port.*\n/, ""));
    expect(text).toContain("# The health endpoint: the one that pages.");
  });

  it("adds to an empty list (rules: []) as a block list under its key", () => {
    const rule =
      "id: health-down\nseverity: critical\ncondition: { type: monitor, monitors: [health] }\n";
    const { text } = plan({ op: "add", entry: rule }, ["alerts", "rules"]);
    expect(text).toContain(
      "  rules:\n    - id: health-down\n      severity: critical\n      condition:",
    );
    expect(text.slice(0, text.indexOf("alerts:"))).toBe(SOURCE.slice(0, SOURCE.indexOf("alerts:")));
  });

  it("creates a list the file does not have yet", () => {
    const schedule =
      "id: primary\nname: Primary\ntimezone: UTC\nmembers: [a@example.com]\nrotation: { every: 1w, start: 2026-01-05T09:00:00Z }\n";
    const next = editConfigText(SOURCE, ["oncall", "schedules"], { op: "add", entry: schedule });
    expect(parseDocument(next).toJS().oncall.schedules[0].id).toBe("primary");
    expect(next).toContain("# Alerting below.");
    expect(next).toContain("# The health endpoint: the one that pages.");
  });

  it("never expands a ${VAR}: placeholders stay in the file and in the diff, secrets nowhere", () => {
    const entry = entrySource(SOURCE, ["alerts", "channels"], "ops-slack");
    expect(entry).toContain("${SLACK_WEBHOOK}");
    const { text, diff } = plan(
      { op: "replace", id: "ops-slack", entry: entry + "\nname: Ops on Slack" },
      ["alerts", "channels"],
    );
    expect(text).toContain("webhookUrl: ${SLACK_WEBHOOK}");
    expect(text).toContain('url: "${BACKEND_URL}/health"');
    for (const value of Object.values(ENV)) {
      expect(text).not.toContain(value);
      expect(diff).not.toContain(value);
    }
  });
});

describe("an edit the loader would refuse", () => {
  it("returns the loader's message with its path", () => {
    expect(() =>
      plan({
        op: "replace",
        id: "health",
        entry: NEW_MONITOR.replace("www", "health").replace("2m", "2 fortnights"),
      }),
    ).toThrow(
      expect.objectContaining({
        kind: "invalid",
        problems: [
          {
            path: "monitors[0].interval",
            message: 'expected a duration such as "30s", "5m" or "1h", got "2 fortnights"',
          },
        ],
      }),
    );
  });

  it("refuses a duplicate id with the loader's message", () => {
    expect(() => plan({ op: "add", entry: NEW_MONITOR.replace("www", "health") })).toThrow(
      expect.objectContaining({
        problems: [{ path: "monitors[2].id", message: 'duplicate monitor id "health"' }],
      }),
    );
  });

  it("names an unknown id", () => {
    expect(() => plan({ op: "remove", id: "nope" })).toThrow(
      expect.objectContaining({ kind: "not-found" }),
    );
  });

  it("does not echo a value from the environment in a message", () => {
    const entry = NEW_MONITOR.replace("2m", '"${SLACK_WEBHOOK}"');
    try {
      plan({ op: "add", entry });
      expect.unreachable();
    } catch (err) {
      const text = JSON.stringify((err as { problems: unknown }).problems);
      expect(text).toContain("${SLACK_WEBHOOK}");
      expect(text).not.toContain(ENV.SLACK_WEBHOOK);
    }
  });

  it("refuses an alias explosion in an entry", () => {
    const bomb = `id: boom\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n`;
    expect(() => plan({ op: "add", entry: bomb })).toThrow(
      expect.objectContaining({ kind: "invalid", message: expect.stringMatching(/aliases/) }),
    );
  });

  it("refuses a 1 MB field with a clear message, before parsing it", () => {
    const entry = NEW_MONITOR + `description: "${"x".repeat(1024 * 1024)}"\n`;
    expect(() => plan({ op: "add", entry })).toThrow(
      expect.objectContaining({
        kind: "invalid",
        message: expect.stringMatching(/at most 65536 bytes/),
      }),
    );
  });

  it("refuses an entry that is not YAML, naming the line", () => {
    expect(() => plan({ op: "add", entry: "id: x\n  type: [http\n" })).toThrow(
      expect.objectContaining({
        problems: expect.arrayContaining([
          expect.objectContaining({ path: expect.stringMatching(/^\(entry\) line \d/) }),
        ]),
      }),
    );
  });
});

describe("writing the file", () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-edit-"));
    file = path.join(dir, "opsdeck.yaml");
    fs.writeFileSync(file, SOURCE, { mode: 0o640 });
  });

  it("replaces the file atomically, keeps its mode and leaves no temp file", () => {
    const { text, hash } = readConfigSource(file);
    const next = plan({ op: "add", entry: NEW_MONITOR }, ["monitors"], text).text;
    writeConfigAtomically(file, hash, next);
    expect(fs.readFileSync(file, "utf8")).toBe(next);
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    expect(fs.readdirSync(dir)).toEqual(["opsdeck.yaml"]);
  });

  it("refuses when the file changed since the form was opened, and changes nothing", () => {
    const { hash } = readConfigSource(file);
    const edited = SOURCE.replace("Edit tests", "Edited by hand");
    fs.writeFileSync(file, edited);
    expect(() => writeConfigAtomically(file, hash, "title: mine\n")).toThrow(
      expect.objectContaining({
        kind: "conflict",
        message: expect.stringMatching(/changed on disk/),
      }),
    );
    expect(fs.readFileSync(file, "utf8")).toBe(edited);
    expect(fs.readdirSync(dir)).toEqual(["opsdeck.yaml"]);
  });

  it("an invalid edit never reaches the disk", () => {
    expect(() =>
      plan({ op: "add", entry: "id: x\ntype: ftp\n" }, ["monitors"], readConfigSource(file).text),
    ).toThrow();
    expect(fs.readFileSync(file, "utf8")).toBe(SOURCE);
  });

  it("writes through a symlink to its target (a mounted ConfigMap), keeping the link", () => {
    const link = path.join(dir, "link.yaml");
    fs.symlinkSync(file, link);
    writeConfigAtomically(link, contentHash(SOURCE), "title: x\n");
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(file, "utf8")).toBe("title: x\n");
  });

  it("is read-only when OPSDECK_CONFIG_READONLY says so", () => {
    expect(configWritability(file, false)).toEqual({ writable: true });
    expect(configWritability(file, true)).toEqual({
      writable: false,
      reason: "OPSDECK_CONFIG_READONLY is set",
    });
  });

  // root may write any file whatever its mode, so this only runs as another user.
  it.skipIf(process.getuid?.() === 0)("is read-only when the file is not writable", () => {
    fs.chmodSync(file, 0o444);
    expect(configWritability(file, false)).toMatchObject({ writable: false });
  });

  it("is read-only when the directory is gone (nothing to rename in)", () => {
    expect(configWritability(path.join(dir, "missing", "opsdeck.yaml"), false)).toMatchObject({
      writable: false,
    });
  });
});
