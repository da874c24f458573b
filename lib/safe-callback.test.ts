import { describe, expect, it } from "vitest";
import { safeCallback, signInErrorMessage } from "./safe-callback";

const ORIGIN = "http://127.0.0.1:4600";

describe("safeCallback", () => {
  // Each as the page receives it: the query string already percent-decoded once.
  it.each([
    "//x",
    "///x",
    "/\\x",
    "\\\\x",
    "/\t/x", // ?callbackUrl=/%09/x
    "/\n/x", // ?callbackUrl=/%0a/x
    "/\r\n/x",
    " //x",
    "\u0000//x",
    "\\/\\/x",
    "/\\/x",
    "https:x",
    "https:/x",
    "http:\\\\x",
    "java\tscript:alert(1)",
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https://evil.example/steal",
    "http://127.0.0.1:4600@evil.example/",
    "http://127.0.0.1:4600.evil.example/",
    "http://127.0.0.1:4601/",
    "https://127.0.0.1:4600/",
    "//127.0.0.1:4600@evil.example",
    "",
    "x".repeat(5000),
  ])("refuses %j", (value) => {
    expect(safeCallback(value, ORIGIN)).toBe("/");
  });

  // The same list exactly as typed into the address bar, never decoded: still refused
  // or kept on Opsdeck.
  it.each(["/%09/x", "/%5Cx", "/%0a/x", "%2F%2Fx", "/%2F/x", "/%5C%5Cx"])(
    "keeps %j on Opsdeck",
    (value) => {
      const target = safeCallback(value, ORIGIN);
      expect(new URL(target, ORIGIN).origin).toBe(ORIGIN);
      expect(target).toMatch(/^\/(?![/\\])/);
    },
  );

  it("a path that normalises to a second slash is not handed back as protocol-relative", () => {
    expect(safeCallback("/.//evil.example", ORIGIN)).toBe("/evil.example");
    expect(safeCallback("/a/..//evil.example", ORIGIN)).toBe("/evil.example");
  });

  it("keeps same-origin paths with their query and hash", () => {
    expect(safeCallback("/audit?action=auth.login", ORIGIN)).toBe("/audit?action=auth.login");
    expect(safeCallback("/alerts?tab=history#x", ORIGIN)).toBe("/alerts?tab=history#x");
    expect(safeCallback(`${ORIGIN}/uptime/a?range=7d`, ORIGIN)).toBe("/uptime/a?range=7d");
    expect(safeCallback("/", ORIGIN)).toBe("/");
  });

  it("anything that is not one string is the overview", () => {
    expect(safeCallback(undefined, ORIGIN)).toBe("/");
    expect(safeCallback(["/audit", "//evil"], ORIGIN)).toBe("/");
    expect(safeCallback(42, ORIGIN)).toBe("/");
  });
});

describe("signInErrorMessage", () => {
  it("shows known codes as their message", () => {
    expect(signInErrorMessage("OAuthCallback")).toBe("Single sign-on did not complete. Try again.");
    expect(signInErrorMessage("OidcEmailTaken")).toMatch(/already signs in with a password/);
  });

  it("never shows text taken from the address", () => {
    for (const code of [
      "Your account is locked. Call +1 555 0100 to unlock it.",
      "<img src=x onerror=alert(1)>",
      "constructor",
      "__proto__",
      "toString",
    ]) {
      expect(signInErrorMessage(code)).toBe("Sign-in failed. Try again.");
    }
    expect(signInErrorMessage(undefined)).toBeUndefined();
  });
});
