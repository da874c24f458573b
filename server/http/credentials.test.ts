import { describe, expect, it } from "vitest";
import { SecretValue } from "@/server/config/secret-value";
import { authorizationFor, readBasicAuth } from "./credentials";

describe("the Authorization header for a server Opsdeck calls", () => {
  it("is Bearer with the token, or Basic with user:password in base64", () => {
    expect(authorizationFor({ bearerToken: new SecretValue("t0k3n") })).toBe("Bearer t0k3n");
    // RFC 7617's own example.
    expect(
      authorizationFor({
        basicAuth: { username: "Aladdin", password: new SecretValue("open sesame") },
      }),
    ).toBe("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    expect(authorizationFor({})).toBeUndefined();
  });

  it("encodes the pair as UTF-8, and reads back what it wrote", () => {
    const header = authorizationFor({
      basicAuth: { username: "prüfer", password: new SecretValue("pa:ss:wörd") },
    })!;
    expect(header).toBe(`Basic ${Buffer.from("prüfer:pa:ss:wörd", "utf8").toString("base64")}`);
    expect(readBasicAuth(header)).toEqual({ username: "prüfer", password: "pa:ss:wörd" });
  });
});

describe("reading a Basic Authorization header", () => {
  it("splits at the first colon, so a password may hold colons", () => {
    expect(readBasicAuth("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")).toEqual({
      username: "Aladdin",
      password: "open sesame",
    });
    expect(readBasicAuth(`basic ${Buffer.from("grafana:a:b").toString("base64")}`)).toEqual({
      username: "grafana",
      password: "a:b",
    });
    expect(readBasicAuth(`Basic ${Buffer.from("grafana:").toString("base64")}`)).toEqual({
      username: "grafana",
      password: "",
    });
  });

  it("is undefined for any other header", () => {
    expect(readBasicAuth("")).toBeUndefined();
    expect(readBasicAuth("Bearer QWxhZGRpbjpvcGVuIHNlc2FtZQ==")).toBeUndefined();
    expect(readBasicAuth("Basic not base64!")).toBeUndefined();
    expect(readBasicAuth(`Basic ${Buffer.from("no-colon").toString("base64")}`)).toBeUndefined();
  });
});
