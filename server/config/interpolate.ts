import "server-only";
import { formatPath } from "@/lib/format-path";

export type InterpolationProblem = { path: string; message: string };

const REF = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const SECRET_KEY =
  /(secret|token|password|passwd|apikey|api_key|privatekey|private_key|dsn|webhookurl)$/i;

/**
 * Replaces `${VAR}` (and `${VAR:-default}`) in every string value of a parsed
 * YAML document; `$${` is a literal `${`. Substitution happens after parsing,
 * so a variable's value can never change the document's structure.
 * Keys that name credentials must be given as `${VAR}`, never written inline.
 */
export function interpolate(
  node: unknown,
  lookup: (name: string) => string | undefined,
  path: (string | number)[] = [],
  problems: InterpolationProblem[] = [],
): { value: unknown; problems: InterpolationProblem[] } {
  if (typeof node === "string") {
    const key = path[path.length - 1];
    if (typeof key === "string" && SECRET_KEY.test(key) && !node.includes("${")) {
      problems.push({
        path: formatPath(path),
        message:
          "credentials must come from the environment: write ${VAR_NAME} here, not the value",
      });
    }
    const value = node.replace(REF, (match, name: string | undefined, fallback?: string) => {
      if (match === "$${") return "${";
      const found = lookup(name!);
      if (found !== undefined) return found;
      if (fallback !== undefined) return fallback;
      problems.push({ path: formatPath(path), message: `environment variable ${name} is not set` });
      return "";
    });
    return { value, problems };
  }
  if (Array.isArray(node)) {
    return {
      value: node.map((item, i) => interpolate(item, lookup, [...path, i], problems).value),
      problems,
    };
  }
  if (node !== null && typeof node === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] = interpolate(v, lookup, [...path, k], problems).value;
    }
    return { value: out, problems };
  }
  return { value: node, problems };
}
