// @ts-check
// Shared by `npm run demo` and the e2e tests: build when needed, create users, wait for HTTP.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
export const serverBundle = path.join(root, ".next", "opsdeck-server.mjs");

const SOURCES = [
  "app",
  "components",
  "lib",
  "server",
  "public",
  "env.ts",
  "instrumentation.ts",
  "proxy.ts",
  "next.config.ts",
  "package.json",
  "scripts/server.ts",
  "scripts/build-server.mjs",
  "scripts/engine-bundle.mjs",
];

/** @param {string} p @returns {number} newest modification time under p */
function newest(p) {
  if (!fs.existsSync(p)) return 0;
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(p).map((name) => newest(path.join(p, name))));
}

/** Runs `npm run build` unless the build is newer than every source file. */
export function ensureBuild() {
  const built = fs.existsSync(serverBundle) ? fs.statSync(serverBundle).mtimeMs : 0;
  const source = Math.max(...SOURCES.map((s) => newest(path.join(root, s))));
  if (built > source) return;
  console.log("Building Opsdeck (next build)…");
  const result = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) throw new Error("npm run build failed");
}

/**
 * Creates each user unless one with that email exists (so known demo passwords survive restarts).
 * @param {string} dataDir
 * @param {{ email: string, name: string, role: string, password: string }[]} users
 */
export function ensureUsers(dataDir, users) {
  const tsx = path.join(root, "node_modules", ".bin", "tsx");
  for (const u of users) {
    execFileSync(
      tsx,
      [
        "--conditions=react-server",
        "scripts/user.ts",
        "create",
        "--if-missing",
        "--email",
        u.email,
        "--name",
        u.name,
        "--role",
        u.role,
        "--password",
        u.password,
      ],
      {
        cwd: root,
        env: { ...process.env, OPSDECK_DATA_DIR: dataDir, LOG_LEVEL: "warn" },
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
  }
}

/**
 * Resolves once `url` answers (any status), or rejects after `timeoutMs`.
 * @param {string} url @param {number} [timeoutMs]
 */
export async function waitForHttp(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
