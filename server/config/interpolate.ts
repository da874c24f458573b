import "server-only";
import { formatPath } from "@/lib/format-path";
import { MIN_SECRET_LENGTH } from "@/server/secrets/redact";

export type InterpolationProblem = { path: string; message: string };

/** A value the document took from the environment (or a credential's default written in it). */
export type ResolvedValue = { value: string; name: string };

export type Interpolation = {
  value: unknown;
  problems: InterpolationProblem[];
  /** Worth fixing, not fatal: a credential with a default written in the file. */
  warnings: InterpolationProblem[];
  /** Every value substituted from the environment, and every credential's final value. */
  resolved: ResolvedValue[];
};

const REF = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
/** One reference and nothing else: how a credential must be written. */
const ONLY_REF = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/;
const SECRET_KEY =
  /(secret|token|password|passwd|apikey|api_key|privatekey|private_key|dsn|webhookurl)$/i;
/** HTTP headers that carry credentials (an http monitor's `headers`). */
const SECRET_HEADER =
  /^(authorization|proxy-authorization|cookie|x-api-key|api-key|.*(token|secret|api[-_]?key|password).*)$/i;
/** A header value may keep its scheme word ("Bearer ${TOKEN}") or a cookie name ("sid=${SID}"). */
const HEADER_WITH_REF =
  /^(?:[A-Za-z][A-Za-z0-9._-]*(?: +|=))?(\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\})$/;
/** `scheme://user:password@…`: the password part. */
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:([^/@\s]*)@/i;

const INLINE = "credentials must come from the environment: write ${VAR_NAME} here, not the value";

type Walk = Omit<Interpolation, "value"> & { lookup: (name: string) => string | undefined };

/**
 * Replaces `${VAR}` (and `${VAR:-default}`) in every string value of a parsed
 * YAML document; `$${` is a literal `${`. Substitution happens after parsing,
 * so a variable's value can never change the document's structure.
 * Credentials (keys that name one, credential headers, the password in a URL)
 * must be given as `${VAR}`, never written inline; a default written for one is
 * a warning, since it becomes the credential whenever the variable is unset.
 */
export function interpolate(
  node: unknown,
  lookup: (name: string) => string | undefined,
): Interpolation {
  const walk: Walk = { problems: [], warnings: [], resolved: [], lookup };
  const value = visit(node, [], walk);
  return { value, problems: walk.problems, warnings: walk.warnings, resolved: walk.resolved };
}

function visit(node: unknown, path: (string | number)[], walk: Walk): unknown {
  if (typeof node === "string") return substitute(node, path, walk);
  if (Array.isArray(node)) return node.map((item, i) => visit(item, [...path, i], walk));
  if (node !== null && typeof node === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = visit(v, [...path, k], walk);
    return out;
  }
  return node;
}

function substitute(text: string, path: (string | number)[], walk: Walk): string {
  const where = formatPath(path);
  const key = path[path.length - 1];
  const credentialKey = typeof key === "string" && SECRET_KEY.test(key);
  const header = typeof key === "string" && path[path.length - 2] === "headers";
  const credentialHeader = header && SECRET_HEADER.test(key);
  let credentialRef: string | undefined;
  if (credentialKey && !header) {
    if (ONLY_REF.test(text)) credentialRef = text;
    else walk.problems.push({ path: where, message: INLINE });
  } else if (credentialHeader) {
    const m = HEADER_WITH_REF.exec(text);
    if (m) credentialRef = m[1];
    else
      walk.problems.push({
        path: where,
        message: `the ${key} header carries a credential: write it as \${VAR_NAME} (a scheme such as "Bearer \${VAR_NAME}" may stay), not the value`,
      });
  }
  const password = URL_PASSWORD.exec(text)?.[1];
  if (password !== undefined && password !== "") {
    if (ONLY_REF.test(password)) credentialRef ??= password;
    else
      walk.problems.push({
        path: where,
        message: "the password in this URL must come from the environment: write user:${VAR_NAME}@",
      });
  }
  const defaulted = credentialRef ? ONLY_REF.exec(credentialRef) : null;
  if (defaulted?.[2] !== undefined)
    walk.warnings.push({
      path: where,
      message: `the credential has a default written in the file (\${${defaulted[1]}:-…}): whenever ${defaulted[1]} is unset, that public value is the credential; remove the default`,
    });

  return text.replace(REF, (match, name: string | undefined, fallback?: string) => {
    if (match === "$${") return "${";
    const found = walk.lookup(name!);
    if (found !== undefined) {
      walk.resolved.push({ value: found, name: name! });
      if (match === credentialRef && found.length < MIN_SECRET_LENGTH)
        walk.warnings.push({
          path: where,
          message: `${name} is shorter than ${MIN_SECRET_LENGTH} characters: too short to tell apart from ordinary words, so it is not redacted from logs`,
        });
      return found;
    }
    if (fallback !== undefined) {
      // A credential's default is as secret as the variable it stands in for.
      if (match === credentialRef) walk.resolved.push({ value: fallback, name: name! });
      return fallback;
    }
    walk.problems.push({ path: where, message: `environment variable ${name} is not set` });
    return "";
  });
}
