import "server-only";
import type { z } from "zod";
import { formatPath } from "@/lib/format-path";
import { SecretValue } from "./secret-value";

type Path = (string | number)[];

/** Every credential in a parsed config, with where it is. */
function secretsIn(
  value: unknown,
  path: Path = [],
  out: { path: Path; secret: SecretValue }[] = [],
) {
  if (value instanceof SecretValue) out.push({ path, secret: value });
  else if (Array.isArray(value)) value.forEach((v, i) => secretsIn(v, [...path, i], out));
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) secretsIn(v, [...path, k], out);
  return out;
}

const isToken = (path: Path) =>
  (path[0] === "integrations" || path[0] === "monitors" || path[0] === "metrics") &&
  path.at(-1) === "token";

/**
 * A token that lets someone in (a CI integration's, a heartbeat's ping URL) is its
 * owner's identity: it must be unique, not shared with another integration, monitor or
 * any other credential in the file, or the audit log would name the wrong caller and a
 * scope could be bypassed with the other owner's token.
 */
export function checkTokens(config: object, ctx: z.RefinementCtx): void {
  const all = secretsIn(config);
  const byValue = new Map<string, Path[]>();
  for (const { path, secret } of all) {
    const list = byValue.get(secret.reveal()) ?? [];
    list.push(path);
    byValue.set(secret.reveal(), list);
  }
  for (const { path, secret } of all) {
    if (!isToken(path)) continue;
    const others = byValue.get(secret.reveal())!.filter((p) => p !== path);
    if (others.length === 0) continue;
    ctx.addIssue({
      code: "custom",
      path,
      message: `this token is also used at ${others.map(formatPath).join(", ")}; every integration and heartbeat token must be unique`,
    });
  }
}
