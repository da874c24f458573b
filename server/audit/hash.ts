import "server-only";
import { createHash, createHmac } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

export type HashedFields = {
  id: number;
  at: Date;
  actorId: number | null;
  actorName: string;
  actorRole: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: unknown;
  prevHash: string;
};

/** JSON with object keys sorted, so the same row always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return "null";
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/**
 * A row's hash: HMAC-SHA-256 under the audit key, or, for rows of the SHA-256 chain that
 * came before the key (`key` null, up to the "keyed" checkpoint), plain SHA-256.
 */
export function auditRowHash(row: HashedFields, key: Buffer | null): string {
  const material = canonicalJson([
    row.id,
    row.at.getTime(),
    row.actorId,
    row.actorName,
    row.actorRole,
    row.action,
    row.targetType,
    row.targetId,
    row.outcome,
    row.ip,
    row.userAgent,
    row.requestId,
    row.details ?? null,
    row.prevHash,
  ]);
  return (key ? createHmac("sha256", key) : createHash("sha256")).update(material).digest("hex");
}
