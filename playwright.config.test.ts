import { afterEach, describe, expect, it, vi } from "vitest";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe("playwright.config", () => {
  it("never reruns a failed e2e test, on CI or not, and keeps the trace of every failure", async () => {
    for (const ci of ["true", ""]) {
      vi.stubEnv("CI", ci);
      vi.resetModules();
      const { default: config } = await import("./playwright.config");
      expect(config.retries, `CI=${ci}`).toBe(0);
      expect(config.use?.trace, `CI=${ci}`).toBe("retain-on-failure");
    }
  });
});
