import { describe, expect, it } from "vitest";
import { badActionBody, badSignInQuery, decodablePath } from "./request-checks";

describe("request checks", () => {
  it("finds paths Next cannot decode", () => {
    for (const bad of ["/%ff", "/uptime/%ff", "/%", "/%e2%82", "/a%zz"])
      expect(decodablePath(bad), bad).toBe(false);
    for (const ok of ["/", "/uptime/a%20b", "/login?x=%ff", "/%E2%82%AC"])
      expect(decodablePath(ok), ok).toBe(true);
  });

  it("refuses doubled and control-character sign-in parameters", () => {
    expect(badSignInQuery(new URLSearchParams("callbackUrl=/a&callbackUrl=/b"))).toMatch(
      /more than once/,
    );
    expect(badSignInQuery(new URLSearchParams("callbackUrl=/%0a/x"))).toMatch(/control character/);
    expect(badSignInQuery(new URLSearchParams("error=x%7f"))).toMatch(/control character/);
    expect(badSignInQuery(new URLSearchParams("callbackUrl=/audit&other=1&other=2"))).toBeNull();
  });

  it("refuses a JSON action body that is not an argument list", () => {
    expect(badActionBody("text/plain;charset=UTF-8", "[1]")).toBeNull();
    expect(badActionBody("text/plain", "{}")).toBe("not an argument list");
    expect(badActionBody("text/plain", "[")).toBe("not JSON");
    expect(badActionBody("multipart/form-data; boundary=x", "anything")).toBeNull();
  });
});
