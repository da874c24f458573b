import { describe, expect, it } from "vitest";
import { SecretValue } from "@/server/config/secret-value";
import type { OidcConfig } from "@/server/config/schema";
import { roleFromClaims } from "./oidc";

const cfg: OidcConfig = {
  issuer: "https://id.example.com",
  clientId: "opsdeck",
  clientSecret: new SecretValue("x"),
  name: "SSO",
  scope: "openid email profile",
  groupsClaim: "groups",
  roleMapping: { admin: ["ops-admins"], operator: ["oncall", "sre"], viewer: [] },
  defaultRole: "viewer",
};

describe("OIDC role mapping", () => {
  it("takes the highest role any group maps to", () => {
    expect(roleFromClaims(cfg, { groups: ["sre", "ops-admins"] })).toBe("admin");
    expect(roleFromClaims(cfg, { groups: ["oncall"] })).toBe("operator");
    expect(roleFromClaims(cfg, { groups: "sre,other" })).toBe("operator");
  });
  it("falls back to the default role", () => {
    expect(roleFromClaims(cfg, { groups: ["marketing"] })).toBe("viewer");
    expect(roleFromClaims(cfg, {})).toBe("viewer");
    expect(roleFromClaims({ ...cfg, defaultRole: "operator" }, { groups: 42 })).toBe("operator");
  });
});
