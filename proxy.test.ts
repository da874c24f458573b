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
    const res = proxy(
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
    const a = proxy(req());
    const b = proxy(req());
    expect(a.status).toBe(200);
    expect(a.headers.get("strict-transport-security")).toContain("max-age=31536000");
    expect(a.headers.get("content-security-policy")).toContain("upgrade-insecure-requests");
    expect(a.headers.get("content-security-policy")).not.toBe(
      b.headers.get("content-security-policy"),
    );
  });

  it("does not redirect, or send HSTS, when HTTPS is not forced and the request is plain http", async () => {
    const proxy = await proxyWith({ OPSDECK_FORCE_HTTPS: "false" });
    const res = proxy(
      new NextRequest("http://localhost:3000/", { headers: { host: "localhost:3000" } }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("strict-transport-security")).toBeNull();
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  it("refuses a server action posted from another site, and lets the same site's through", async () => {
    const proxy = await proxyWith({ OPSDECK_URL: "https://ops.example.com" });
    const post = (origin: string | undefined) =>
      proxy(
        new NextRequest("http://internal:3000/alerts", {
          method: "POST",
          headers: {
            host: "internal:3000",
            "next-action": "abc123",
            ...(origin ? { origin } : {}),
          },
        }),
      );
    expect(post("https://evil.example").status).toBe(403);
    expect(post("null").status).toBe(403);
    expect(post("https://ops.example.com").status).toBe(200);
    expect(post("http://internal:3000").status).toBe(200);
    expect(post(undefined).status).toBe(200);
  });
});
