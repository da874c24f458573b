import { beforeEach, describe, expect, it } from "vitest";
import {
  addConfigSecrets,
  redactSecrets,
  redactSecretsIn,
  redactSecretsNamed,
  registerSecret,
  resetSecretsForTests,
} from "./redact";

const TOKEN = "rw-9f2c41d7aa0b4e65b1c3";

beforeEach(() => {
  resetSecretsForTests();
  addConfigSecrets([{ value: TOKEN, name: "RAILWAY_TOKEN" }]);
});

describe("known secret values", () => {
  it("are replaced wherever they appear in a line", () => {
    expect(redactSecrets(`RAILWAY_TOKEN=${TOKEN}`)).toBe("RAILWAY_TOKEN=[redacted]");
    expect(redactSecrets(`a ${TOKEN} b ${TOKEN}`)).toBe("a [redacted] b [redacted]");
    expect(redactSecrets("nothing secret here")).toBe("nothing secret here");
  });

  it("are found base64-encoded at any alignment, percent-encoded and JSON-escaped", () => {
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    // `echo $TOKEN | base64` adds a newline; "user:TOKEN" shifts the alignment.
    for (const wrapped of [`${TOKEN}\n`, `u:${TOKEN}`, `ab:${TOKEN}`, `xyz${TOKEN}`]) {
      // At most the group shared with what surrounds it is left on either side.
      expect(redactSecrets(b64(wrapped))).toMatch(/^.{0,4}\[redacted\].{0,8}$/);
    }
    expect(redactSecrets(Buffer.from(TOKEN).toString("base64url"))).toContain("[redacted]");
    const odd = "p@ss wörd/with?chars&";
    addConfigSecrets([{ value: odd }]);
    expect(redactSecrets(`?q=${encodeURIComponent(odd)}`)).toBe("?q=[redacted]");
    expect(redactSecrets(JSON.stringify({ v: 'say "hi" \\ ok 12345' }))).toContain("hi");
    addConfigSecrets([{ value: 'say "hi" \\ ok 12345' }]);
    expect(redactSecrets(JSON.stringify({ v: 'say "hi" \\ ok 12345' }))).toBe('{"v":"[redacted]"}');
  });

  it("catches a secret cut short before it got here, at either end of the text", () => {
    const line = `LEAK env RAILWAY_TOKEN=${TOKEN} (${Buffer.from(TOKEN).toString("base64")})`;
    // A line capped at some length ends in the first part of the value or its base64…
    for (const cut of [35, 40, line.length - 12]) {
      const shown = redactSecrets(line.slice(0, cut));
      expect(shown).toMatch(/\[redacted\]$/);
      expect(shown).not.toContain(TOKEN.slice(0, 12));
    }
    // …and the tail of a stream starts with its last part.
    expect(redactSecrets(`${TOKEN.slice(6)} and more`)).toBe("[redacted] and more");
    // Shorter pieces are left alone: they could be anything ("rw-9f2c" here).
    expect(redactSecrets(`prefix ${TOKEN.slice(0, 7)}`)).toBe(`prefix ${TOKEN.slice(0, 7)}`);
    addConfigSecrets([{ value: "https://hooks.example.com/services/T0/B0/abc" }]);
    expect(redactSecrets("see https://")).toBe("see https://");
  });

  it("ignores values shorter than 8 characters, so ordinary words survive", () => {
    addConfigSecrets([{ value: "prod" }, { value: "4101" }, { value: "abcdefg" }]);
    expect(redactSecrets("deploying to prod on 4101 abcdefg")).toBe(
      "deploying to prod on 4101 abcdefg",
    );
  });

  it("covers the password inside a URL on its own", () => {
    addConfigSecrets([{ value: "postgres://navi:s3cr3t-pass-word@db.internal/navi" }]);
    expect(redactSecrets("auth failed for password s3cr3t-pass-word")).toBe(
      "auth failed for password [redacted]",
    );
  });

  it("keeps values from an earlier load after a reload adds new ones", () => {
    addConfigSecrets([{ value: "second-token-0123456789" }]);
    expect(redactSecrets(`${TOKEN} second-token-0123456789`)).toBe("[redacted] [redacted]");
  });

  it("redacts inside nested results, and shows a command line with variable names", () => {
    registerSecret("generated-session-key-0123456789");
    expect(
      redactSecretsIn({ out: [`k=generated-session-key-0123456789`], n: 3, at: null }),
    ).toEqual({ out: ["k=[redacted]"], n: 3, at: null });
    expect(redactSecretsNamed(`deploy --token=${TOKEN} generated-session-key-0123456789`)).toBe(
      "deploy --token=${RAILWAY_TOKEN} [redacted]",
    );
  });
});

describe("Opsdeck's own secrets", () => {
  it("include the session key generated into the data directory", async () => {
    const { getSessionSecret } = await import("@/server/auth/secret");
    const key = getSessionSecret();
    expect(key.length).toBeGreaterThanOrEqual(32);
    expect(redactSecrets(`cat session-secret: ${key}`)).toBe("cat session-secret: [redacted]");
  });
});
