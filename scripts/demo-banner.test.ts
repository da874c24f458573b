import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { showOnTerminal } from "./demo-banner.mjs";

const run = promisify(execFile);

describe("npm run demo -- --help", () => {
  it("prints the sign-in banner without starting anything: accounts, both kinds of incident, every inbox", async () => {
    const { stdout } = await run(process.execPath, ["scripts/demo.mjs", "--help"], {
      env: { ...process.env, PORT: "3999" },
      timeout: 15_000,
    });
    expect(stdout).toContain("Opsdeck demo: http://localhost:3999");
    for (const account of ["admin@demo.local", "operator@demo.local", "viewer@demo.local"])
      expect(stdout).toContain(account);
    expect(stdout).toContain(
      "production http://127.0.0.1:4101 (1.4.2), staging http://127.0.0.1:4102",
    );
    expect(stdout).toMatch(/chaos\): a rollback will NOT help/);
    expect(stdout).toContain("curl -X POST http://127.0.0.1:4101/chaos");
    expect(stdout).toContain(
      "node demo/deploy.mjs http://127.0.0.1:4101 1.4.3 --report http://localhost:3999",
    );
    expect(stdout).toContain("A rollback fixes it.");
    expect(stdout).toContain("http://127.0.0.1:4140/__messages");
    expect(stdout).toContain("http://127.0.0.1:4140/__mail");
    expect(stdout).toContain("http://127.0.0.1:4140/__webhooks");
    expect(stdout).toContain("Press Enter to show this again");
    expect(stdout).not.toContain("Building Opsdeck");
  });
});

describe("Opsdeck's output in the demo's terminal", () => {
  const line = (level: string) =>
    JSON.stringify({
      timestamp: "2026-01-01T00:00:00.000Z",
      level,
      service: "opsdeck",
      message: "x",
    });
  it("shows every line while starting, then only warnings, errors and non-JSON lines", () => {
    expect(showOnTerminal(line("INFO"), false)).toBe(true);
    expect(showOnTerminal(line("INFO"), true)).toBe(false);
    expect(showOnTerminal(line("DEBUG"), true)).toBe(false);
    expect(showOnTerminal(line("WARN"), true)).toBe(true);
    expect(showOnTerminal(line("ERROR"), true)).toBe(true);
    expect(showOnTerminal("Error: something crashed", true)).toBe(true);
  });
});
