import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "@/env";
import { ensureDataDir } from "@/server/db";
import { registerSecret, SESSION_SECRET_FILE } from "@/server/secrets/redact";

const state = globalThis as unknown as { __opsdeckSessionSecret?: string };

/**
 * Key that signs and encrypts session tokens: OPSDECK_SECRET when set, otherwise
 * one generated on first start and kept (mode 0600) in the data directory, so
 * sessions survive restarts without anyone having to invent a secret.
 */
export function getSessionSecret(): string {
  if (env.OPSDECK_SECRET) return env.OPSDECK_SECRET;
  if (state.__opsdeckSessionSecret) return state.__opsdeckSessionSecret;
  const file = path.join(ensureDataDir(env.OPSDECK_DATA_DIR), SESSION_SECRET_FILE);
  try {
    fs.writeFileSync(file, crypto.randomBytes(48).toString("base64url"), {
      flag: "wx",
      mode: 0o600,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  state.__opsdeckSessionSecret = fs.readFileSync(file, "utf8").trim();
  // Whoever can read the data directory (a deploy command, say) may print it: never store it.
  registerSecret(state.__opsdeckSessionSecret);
  return state.__opsdeckSessionSecret;
}
