import { NextRequest } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";

async function proxyWith(env: Record<string, string>) {
  vi.resetModules();
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  return (await import("./proxy")).proxy;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("proxy", () => {
  it("redirects plain http to https when OPSDECK_FORCE_HTTPS is on", async () => {
    const proxy = await proxyWith({ OPSDECK_FORCE_HTTPS: "true" });
    const res = await proxy(
      new NextRequest("http://ops.example.com/audit?actor=x", {
        headers: { host: "ops.example.com", "x-forwarded-proto": "http" },
      }),
    );
    expect(res.status).toBe(308);
    expect(res.headers.get("location")).toBe("https://ops.example.com/audit?actor=x");
  });

  it("passes https requests through with HSTS and a fresh nonce each time", async () => {
    const proxy = await proxyWith({ OPSDECK_FORCE_HTTPS: "true" });
    const req = () =>
      new NextRequest("http://ops.example.com/", {
        headers: { host: "ops.example.com", "x-forwarded-proto": "https" },
      });
    const a = await proxy(req());
    const b = await proxy(req());
    expect(a.status).toBe(200);
    expect(a.headers.get("strict-transport-security")).toContain("max-age=31536000");
    expect(a.headers.get("content-security-policy")).toContain("upgrade-insecure-requests");
    expect(a.headers.get("content-security-policy")).not.toBe(
      b.headers.get("content-security-policy"),
    );
  });

  it("does not redirect, or send HSTS, when HTTPS is not forced and the request is plain http", async () => {
    const proxy = await proxyWith({ OPSDECK_FORCE_HTTPS: "false" });
    const res = await proxy(
      new NextRequest("http://localhost:3000/", { headers: { host: "localhost:3000" } }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("strict-transport-security")).toBeNull();
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  it("refuses a server action posted from another site, and lets the same site's through", async () => {
    const proxy = await proxyWith({ OPSDECK_URL: "https://ops.example.com" });
    const post = async (origin: string | undefined) =>
      await proxy(
        new NextRequest("http://internal:3000/alerts", {
          method: "POST",
          headers: {
            host: "internal:3000",
            "next-action": "abc123",
            ...(origin ? { origin } : {}),
          },
        }),
      );
    expect((await post("https://evil.example")).status).toBe(403);
    expect((await post("null")).status).toBe(403);
    expect((await post("https://ops.example.com")).status).toBe(200);
    expect((await post("http://internal:3000")).status).toBe(200);
    expect((await post(undefined)).status).toBe(200);
  });

  it("refuses a form posted from another site to a page, with or without an action header", async () => {
    const proxy = await proxyWith({ OPSDECK_URL: "https://ops.example.com" });
    const form = new FormData();
    form.set("$ACTION_ID_7f00", "");
    const res = await proxy(
      new NextRequest("http://internal:3000/settings/users", {
        method: "POST",
        headers: { host: "internal:3000", origin: "https://evil.example" },
        body: form,
      }),
    );
    expect(res.status).toBe(403);
    expect(await res.text()).toBe("Cross-site request refused.");
  });

  const action = (body: string | Blob, headers: Record<string, string> = {}) =>
    new NextRequest("http://ops.example.com/", {
      method: "POST",
      headers: {
        host: "ops.example.com",
        origin: "http://ops.example.com",
        "next-action": "7f00",
        "content-type": "text/plain;charset=UTF-8",
        ...headers,
      },
      body,
    });

  it("answers a server action body that is not its JSON argument list with 400", async () => {
    const proxy = await proxyWith({});
    for (const body of ['[{"x', "not json", '{"a":1}', "", "\u0000"]) {
      const res = await proxy(action(body));
      expect(res.status, body).toBe(400);
      expect(await res.text()).toMatch(/not a valid server action request/);
    }
    expect((await proxy(action('[{"alertId":1}]'))).status).toBe(200);
  });

  it("answers a server action body over 1 MB with 413, declared or not", async () => {
    const proxy = await proxyWith({});
    const big = new Blob([new Uint8Array(1024 * 1024 + 1).fill(0x61)]);
    expect((await proxy(action(big))).status).toBe(413);
    expect((await proxy(action("[1]", { "content-length": String(5 * 1024 * 1024) }))).status).toBe(
      413,
    );
  });

  it("answers a sign-in link with a doubled or control-character callback with 400", async () => {
    const proxy = await proxyWith({});
    const login = (query: string) =>
      proxy(new NextRequest(`http://ops.example.com/login?${query}`));
    for (const query of [
      "callbackUrl=/a&callbackUrl=/b",
      "callbackUrl=/%0a/x",
      "callbackUrl=/%09/evil.com",
      "callbackUrl=%00",
      "error=a&error=b",
    ]) {
      const res = await login(query);
      expect(res.status, query).toBe(400);
    }
    expect((await login("callbackUrl=%2Faudit%3Faction%3Dauth.login")).status).toBe(200);
  });

  it("lets anyone fetch a public status page, marked cacheable for 30 s; other pages are not", async () => {
    const proxy = await proxyWith({});
    const get = (path: string) =>
      proxy(
        new NextRequest(`http://localhost:3000${path}`, { headers: { host: "localhost:3000" } }),
      );
    for (const path of ["/status/navi", "/api/status/navi"]) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("location")).toBeNull();
      expect(res.headers.get("cache-control")).toBe("public, max-age=30");
    }
    for (const path of ["/alerts/1", "/status", "/status/navi/../../alerts", "/api/uptime/status"])
      expect((await get(path)).headers.get("cache-control")).toBeNull();
  });
});
