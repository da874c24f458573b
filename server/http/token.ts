import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/**
 * Compares a presented token with an expected one in constant time. Both sides are
 * hashed first, so neither the comparison nor an early length check tells a caller
 * how long the real token is or how much of it they guessed.
 */
export function sameToken(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
