import "server-only";

// An absolute URL (scheme://…) or a path (/…) as it appears inside a sentence.
const URL_IN_TEXT = /(?:\b[a-z][a-z0-9+.-]*:\/\/|(?<![\w/])\/)[^\s"'<>()\\]*/gi;

/**
 * `text` with every URL in it made safe to store: no `user:password@`, and the query
 * string (tokens, codes, sessions travel there) replaced by "?…". The fragment stays.
 */
export function stripUrlSecrets(text: string): string {
  if (!text.includes("?") && !text.includes("@")) return text;
  return text.replace(URL_IN_TEXT, (url) => {
    const hash = url.indexOf("#");
    const [head, fragment] = hash === -1 ? [url, ""] : [url.slice(0, hash), url.slice(hash)];
    const query = head.indexOf("?");
    const base = query === -1 ? head : `${head.slice(0, query)}?…`;
    return base.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1") + fragment;
  });
}
