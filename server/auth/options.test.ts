import { describe, expect, it } from "vitest";
import { getAuthOptions } from "./options";

describe("next-auth's redirects", () => {
  const redirect = (url: string) =>
    getAuthOptions().callbacks!.redirect!({ url, baseUrl: "http://127.0.0.1:4600" });

  it("stay on Opsdeck whatever the callback URL says", async () => {
    for (const url of ["//evil.example", "/\t/evil.example", "https://evil.example/x", "/\\x"]) {
      expect(new URL(await redirect(url)).origin, url).toBe("http://127.0.0.1:4600");
    }
    expect(await redirect("/login")).toBe("http://127.0.0.1:4600/login");
    expect(await redirect("http://127.0.0.1:4600/audit?x=1")).toBe(
      "http://127.0.0.1:4600/audit?x=1",
    );
  });
});
