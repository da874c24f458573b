/** Next's own limit on a server action body (serverActions.bodySizeLimit, default 1 MB). */
export const ACTION_BODY_LIMIT = 1024 * 1024;

/** Parameters of /login that must be one clean value when present. */
const SIGN_IN_PARAMS = ["callbackUrl", "error"];
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why a sign-in page link is unusable, or null when it is fine. */
export function badSignInQuery(params: URLSearchParams): string | null {
  for (const name of SIGN_IN_PARAMS) {
    const values = params.getAll(name);
    if (values.length > 1) return `${name} is given more than once.`;
    if (values[0] !== undefined && CONTROL.test(values[0]))
      return `${name} contains a control character.`;
  }
  return null;
}

/**
 * Why a server action body (the JSON argument list the browser sends as
 * text/plain) is unusable, or null when it parses. Other content types are left
 * to Next.
 */
export function badActionBody(contentType: string | null, body: string): string | null {
  if (!contentType?.startsWith("text/plain")) return null;
  try {
    return Array.isArray(JSON.parse(body)) ? null : "not an argument list";
  } catch {
    return "not JSON";
  }
}

/** Whether every %-escape in the request target's path decodes (Next throws on `/%ff`). */
export function decodablePath(target: string): boolean {
  const path = target.split("?")[0] ?? "";
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}
