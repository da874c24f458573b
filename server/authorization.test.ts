import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ACTION_BRAND } from "@/server/auth/action";
import { ROUTE_BRAND } from "@/server/http/route";
import { SERVICE_BRAND } from "@/server/services/service";

const root = path.resolve(__dirname, "..");
const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

// Route handlers that are not built with apiRoute, and why each is still safe.
const ROUTE_EXCEPTIONS: Record<string, string> = {
  "app/api/auth/[...nextauth]/route.ts":
    "next-auth's own handler: CSRF token on every POST, sign-ins throttled and audited in its callbacks",
};

function walk(dir: string, match: (file: string) => boolean, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (["node_modules", ".next", "data"].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, match, out);
    else if (match(full)) out.push(full);
  }
  return out;
}

const rel = (file: string) => path.relative(root, file).split(path.sep).join("/");
const source = (file: string) => !/\.test\.tsx?$/.test(file) && /\.tsx?$/.test(file);

describe("every mutation is authorised and audited", () => {
  const actionFiles = walk(path.join(root, "server", "actions"), source);

  it("finds the server actions", () => {
    expect(actionFiles.length).toBeGreaterThanOrEqual(7);
  });

  it.each(actionFiles.map(rel))("%s: every export is an authAction", async (file) => {
    const text = fs.readFileSync(path.join(root, file), "utf8");
    expect(text.startsWith('"use server";')).toBe(true);
    const mod = (await import(/* @vite-ignore */ path.join(root, file))) as Record<string, unknown>;
    const exported = Object.entries(mod);
    expect(exported.length).toBeGreaterThan(0);
    for (const [name, value] of exported) {
      expect(typeof value, `${file}: ${name}`).toBe("function");
      expect(
        (value as Record<symbol, unknown>)[ACTION_BRAND],
        `${file}: ${name} is not wrapped by authAction`,
      ).toBeTruthy();
    }
  });

  const serviceFiles = walk(path.join(root, "server", "services"), source)
    .map(rel)
    .filter((f) => f !== "server/services/service.ts");

  it.each(serviceFiles)("%s: every export is a defineService verb", async (file) => {
    const mod = (await import(/* @vite-ignore */ path.join(root, file))) as Record<string, unknown>;
    const exported = Object.entries(mod);
    expect(exported.length).toBeGreaterThan(0);
    for (const [name, value] of exported) {
      expect(
        (value as Record<symbol, unknown>)[SERVICE_BRAND],
        `${file}: ${name} is not wrapped by defineService`,
      ).toBeTruthy();
    }
  });

  it.each(actionFiles.map(rel))("%s: is a thin adapter over a service", (file) => {
    const text = fs.readFileSync(path.join(root, file), "utf8");
    expect(text, `${file} should call serverAction(service)`).toMatch(/serverAction\(/);
    expect(text, `${file} should import its verb from server/services`).toMatch(
      /from "@\/server\/services\//,
    );
    expect(text, `${file} writes its own verb`).not.toMatch(/authAction\(|ctx\.commit\(/);
  });

  it('"use server" appears only in server/actions/', () => {
    const offenders = ["app", "components", "lib", "server"]
      .flatMap((d) => walk(path.join(root, d), source))
      .filter((f) => /^\s*["']use server["']/m.test(fs.readFileSync(f, "utf8")))
      .map(rel)
      .filter((f) => !f.startsWith("server/actions/"));
    expect(offenders).toEqual([]);
  });

  const routeFiles = walk(path.join(root, "app"), (f) => /\/route\.tsx?$/.test(f)).map(rel);

  it.each(routeFiles)("%s: every method handler is an apiRoute", async (file) => {
    const mod = (await import(/* @vite-ignore */ path.join(root, file))) as Record<string, unknown>;
    const methods = Object.keys(mod).filter((k) => HTTP_METHODS.includes(k));
    expect(methods.length).toBeGreaterThan(0);
    if (ROUTE_EXCEPTIONS[file]) return;
    for (const method of methods) {
      expect(
        (mod[method] as Record<symbol, unknown>)[ROUTE_BRAND],
        `${file} ${method} is not wrapped by apiRoute`,
      ).toBeTruthy();
    }
  });

  it("every exception still exists (no stale entries)", () => {
    for (const file of Object.keys(ROUTE_EXCEPTIONS)) expect(routeFiles).toContain(file);
  });
});
