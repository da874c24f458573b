import { describe, expect, it } from "vitest";
import { clientIp } from "./client-ip";
import { contentSecurityPolicy, staticSecurityHeaders } from "./security-headers";
import { acceptRequestId } from "./request-id";
import { routeMatcher } from "./route-label";
import { redact } from "./redact";
import { hasRole } from "./roles";

describe("route labels", () => {
  const label = routeMatcher([
    "/",
    "/audit",
    "/api/jobs/[id]",
    "/api/jobs/[id]/events",
    "/[section]",
    "/api/auth/[...nextauth]",
  ]);
  it("maps paths to their route, static before dynamic", () => {
    expect(label("/")).toBe("/");
    expect(label("/audit")).toBe("/audit");
    expect(label("/audit/")).toBe("/audit");
    expect(label("/api/jobs/42")).toBe("/api/jobs/[id]");
    expect(label("/api/jobs/42/events")).toBe("/api/jobs/[id]/events");
    expect(label("/uptime")).toBe("/[section]");
    expect(label("/api/auth/callback/oidc")).toBe("/api/auth/[...nextauth]");
    expect(label("/_next/static/chunks/x.js")).toBe("/_next/static");
    expect(label("/nope/nope/nope")).toBe("(unmatched)");
  });
});

describe("client address", () => {
  it("uses the socket unless proxies are trusted, then reads X-Forwarded-For from the right", () => {
    expect(clientIp("::ffff:10.0.0.1", "6.6.6.6", 0)).toBe("10.0.0.1");
    expect(clientIp("10.0.0.1", "6.6.6.6, 203.0.113.7", 1)).toBe("203.0.113.7");
    expect(clientIp("10.0.0.1", "6.6.6.6, 203.0.113.7, 10.0.0.2", 2)).toBe("203.0.113.7");
    expect(clientIp("10.0.0.1", undefined, 1)).toBe("10.0.0.1");
  });
});

describe("request ids", () => {
  it("keeps a plain incoming id and replaces a hostile one", () => {
    expect(acceptRequestId("abc-123", () => "new")).toBe("abc-123");
    expect(acceptRequestId("a\nb", () => "new")).toBe("new");
    expect(acceptRequestId("x".repeat(500), () => "new")).toBe("new");
    expect(acceptRequestId(undefined, () => "new")).toBe("new");
  });
});

describe("security headers", () => {
  it("allows scripts only with the nonce, and no framing", () => {
    const csp = contentSecurityPolicy("abc", { dev: false, https: true });
    expect(csp).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("upgrade-insecure-requests");
    expect(staticSecurityHeaders(true)["strict-transport-security"]).toMatch(/max-age=31536000/);
    expect(staticSecurityHeaders(false)["strict-transport-security"]).toBeUndefined();
  });
});

describe("redact", () => {
  it("hides credential-looking keys at any depth", () => {
    expect(
      redact({ a: 1, password: "x", nested: { apiKey: "k", list: [{ token: "t" }] } }),
    ).toEqual({
      a: 1,
      password: "[redacted]",
      nested: { apiKey: "[redacted]", list: [{ token: "[redacted]" }] },
    });
  });
});

describe("roles", () => {
  it("ranks viewer < operator < admin", () => {
    expect(hasRole("admin", "operator")).toBe(true);
    expect(hasRole("operator", "operator")).toBe(true);
    expect(hasRole("viewer", "operator")).toBe(false);
  });
});

describe("worst status", () => {
  it("lets real trouble win and never lets a silent monitor hide a healthy one", async () => {
    const { worstStatus } = await import("./uptime");
    expect(worstStatus(["up", "down", "degraded"])).toBe("down");
    expect(worstStatus(["up", "new", "paused"])).toBe("up");
    expect(worstStatus(["new", "paused"])).toBe("new");
    expect(worstStatus([])).toBeNull();
  });
});
