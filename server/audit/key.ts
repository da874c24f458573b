import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "@/env";
import { AUDIT_KEY_FILE, registerSecret } from "@/server/secrets/redact";

/** The generated key's file, beside the database (mode 0600), when OPSDECK_AUDIT_KEY is not set. */
export { AUDIT_KEY_FILE };

export type AuditKey = {
  secret: Buffer;
  /** A public fingerprint, stored with every checkpoint, so a wrong key is named as such. */
  id: string;
  source: "OPSDECK_AUDIT_KEY" | "file";
  file: string;
};

/** The audit key is missing or is not the one the log was keyed with: a configuration problem, stated plainly. */
export class AuditKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuditKeyError";
  }
}

export function auditKeyId(secret: Buffer): string {
  return crypto
    .createHmac("sha256", secret)
    .update("opsdeck audit key id")
    .digest("hex")
    .slice(0, 16);
}

function fromSecret(secret: string, source: AuditKey["source"], file: string): AuditKey {
  const bytes = Buffer.from(secret, "utf8");
  // Whoever holds the key can re-forge the log: it must never reach a job log or an error.
  registerSecret(secret, "OPSDECK_AUDIT_KEY");
  return { secret: bytes, id: auditKeyId(bytes), source, file };
}

/**
 * The key that MACs audit rows and signs checkpoints: OPSDECK_AUDIT_KEY when set,
 * otherwise the `audit-key` file in `dir`. With `create`, a missing file is generated
 * (only the writer does this, and only for a log that was never keyed); without it a
 * missing key is an AuditKeyError that says what to do.
 */
export function loadAuditKey(dir: string, opts: { create: boolean }): AuditKey {
  const file = path.join(dir, AUDIT_KEY_FILE);
  if (env.OPSDECK_AUDIT_KEY) return fromSecret(env.OPSDECK_AUDIT_KEY, "OPSDECK_AUDIT_KEY", file);
  if (opts.create) {
    try {
      fs.writeFileSync(file, crypto.randomBytes(48).toString("base64url"), {
        flag: "wx",
        mode: 0o600,
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  return auditKeyFromFile(
    file,
    `The audit key is missing: OPSDECK_AUDIT_KEY is not set and ${file} does not exist. ` +
      `Set OPSDECK_AUDIT_KEY to the key this audit log was started with, or restore that file ` +
      `from a backup; without it the log cannot be verified or extended.`,
  );
}

/** A key kept in a file (the generated `audit-key`, or a copy given to the offline verifier). */
export function auditKeyFromFile(
  file: string,
  missing = `The audit key file ${file} does not exist.`,
): AuditKey {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    throw new AuditKeyError(missing);
  }
  if (text.length < 32)
    throw new AuditKeyError(`The audit key in ${file} is shorter than 32 characters.`);
  return fromSecret(text, "file", file);
}

/** Refuses a key whose fingerprint differs from the one the chain was keyed with. */
export function assertKeyMatches(key: AuditKey, keyedWith: string): void {
  if (key.id === keyedWith) return;
  throw new AuditKeyError(
    `The audit key (${key.source === "file" ? key.file : "OPSDECK_AUDIT_KEY"}, key id ${key.id}) is ` +
      `not the key this audit log was started with (key id ${keyedWith}). ` +
      (key.source === "file"
        ? "Set OPSDECK_AUDIT_KEY to the original key, or restore the original audit-key file."
        : "Set OPSDECK_AUDIT_KEY back to the original key (or unset it if the log was keyed with the audit-key file)."),
  );
}
