import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";

const SERVER = path.resolve(".next/opsdeck-server.mjs");
const PORT = 4690;

// A test that ends early (its timeout) must not leave a server holding the port for the next.
const running = new Set<ChildProcess>();
test.afterEach(() => {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
});

/** Runs the production server with `env` until it exits or `until` matches its output. */
function run(env: Record<string, string>, until?: RegExp, timeoutMs = 60_000, signals = 1) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: os.tmpdir(),
        NODE_ENV: "production",
        PORT: String(PORT),
        HOST: "127.0.0.1",
        LOG_LEVEL: "info",
        ...env,
      },
    });
    running.add(child);
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`timed out; stdout: ${stdout.slice(-2000)} stderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    // One SIGTERM (or `signals` at once): a second one later means "exit now" (status 1).
    let stopping = false;
    const check = () => {
      if (!stopping && until && until.test(stdout + stderr)) {
        stopping = true;
        for (let i = 0; i < signals; i++) child.kill("SIGTERM");
      }
    };
    child.stdout.on("data", (d) => ((stdout += d), check()));
    child.stderr.on("data", (d) => ((stderr += d), check()));
    child.on("exit", (code) => {
      running.delete(child);
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-startup-"));

test.describe.configure({ mode: "serial" });

test("an invalid config stops start-up with the file, the key path and what was expected", async () => {
  const dir = tmp();
  const config = path.join(dir, "opsdeck.yaml");
  fs.writeFileSync(
    config,
    "environments:\n  - { id: Production, name: Prod }\nservices: []\nsurprise: 1\n",
  );
  const { code, stderr } = await run({
    OPSDECK_CONFIG: config,
    OPSDECK_DATA_DIR: path.join(dir, "data"),
  });
  expect(code).toBe(1);
  expect(stderr).toContain(`Invalid config file ${config}`);
  expect(stderr).toContain('(top level): unknown key "surprise"');
  expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(fs.existsSync(path.join(dir, "data", "opsdeck.db"))).toBe(false);
});

test("a data directory that cannot be created stops start-up with a clear message", async () => {
  const dir = tmp();
  const blocker = path.join(dir, "not-a-directory");
  fs.writeFileSync(blocker, "");
  const { code, stderr } = await run({
    OPSDECK_CONFIG: path.resolve("opsdeck.example.yaml"),
    OPSDECK_DATA_DIR: path.join(blocker, "data"),
  });
  expect(code).toBe(1);
  expect(stderr).toContain(`Data directory ${path.join(blocker, "data")} cannot be created`);
  expect(stderr).toContain("Set OPSDECK_DATA_DIR to a writable directory.");
});

test("a bad environment variable stops start-up naming the variable", async () => {
  const { code, stderr, stdout } = await run({
    OPSDECK_CONFIG: path.resolve("opsdeck.example.yaml"),
    OPSDECK_DATA_DIR: tmp(),
    OPSDECK_ADMIN_PASSWORD: "short",
  });
  expect(code).not.toBe(0);
  expect(stdout + stderr).toContain("OPSDECK_ADMIN_PASSWORD");
});

test("with no users and no admin variables, a first admin is created and its password printed once", async () => {
  test.slow(); // two full start-ups
  const dataDir = tmp();
  const env = {
    OPSDECK_CONFIG: path.resolve("opsdeck.example.yaml"),
    OPSDECK_DATA_DIR: dataDir,
    OPSDECK_URL: `http://127.0.0.1:${PORT}`,
  };
  const first = await run(env, /Opsdeck listening/);
  const password = /password: (\S+)/.exec(first.stdout)?.[1];
  expect(first.stdout).toContain("email:    admin@opsdeck.local");
  expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
  expect(first.code, first.stdout.slice(-3000) + first.stderr).toBe(0);
  // A graceful stop, and the second start prints nothing new.
  expect(first.stdout).toContain('"message":"stopped"');
  const second = await run(env, /Opsdeck listening/);
  expect(second.stdout).not.toContain("created the first admin");
});

test("one Ctrl-C that reaches Opsdeck twice (from the terminal and from npm run demo) is one graceful stop", async () => {
  const { code, stdout } = await run(
    {
      OPSDECK_CONFIG: path.resolve("opsdeck.example.yaml"),
      OPSDECK_DATA_DIR: tmp(),
      OPSDECK_ADMIN_EMAIL: "admin@startup.test",
      OPSDECK_ADMIN_PASSWORD: "startup-admin-password-0123456789",
    },
    /Opsdeck listening/,
    60_000,
    2,
  );
  expect(stdout).not.toContain("again: exiting now");
  expect(stdout).toContain('"message":"stopped"');
  expect(code).toBe(0);
});

test("a keyed audit log whose key is missing stops start-up with a plain message", async () => {
  const dataDir = tmp();
  const env = { OPSDECK_CONFIG: path.resolve("opsdeck.example.yaml"), OPSDECK_DATA_DIR: dataDir };
  await run(env, /Opsdeck listening/);
  expect(fs.existsSync(path.join(dataDir, "audit-key"))).toBe(true);
  expect(fs.existsSync(path.join(dataDir, "audit-checkpoint.json"))).toBe(true);

  fs.renameSync(path.join(dataDir, "audit-key"), path.join(dataDir, "audit-key.moved"));
  const { code, stdout, stderr } = await run(env, /Opsdeck listening/);
  expect(code).toBe(1);
  expect(stderr).toContain("The audit key is missing");
  expect(stderr).toContain("OPSDECK_AUDIT_KEY");
  expect(stdout).not.toContain("Opsdeck listening");
  expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(fs.existsSync(path.join(dataDir, "audit-key"))).toBe(false);
});
