export type SearchParams = Record<string, string | string[] | undefined>;

/** The first value of a search parameter, or undefined when absent or empty. */
export function firstParam(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value) || undefined;
}

/** A positive integer parameter (a page size, an id cursor), or undefined. */
export function intParam(value: string | string[] | undefined): number | undefined {
  const n = Number(firstParam(value));
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** `path?…` keeping the current parameters (first values), with `changes` applied; undefined drops one. */
export function hrefWith(
  path: string,
  search: SearchParams,
  changes: Record<string, string | undefined>,
): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(search)) {
    const value = firstParam(v);
    if (value !== undefined && !(k in changes)) params.set(k, value);
  }
  for (const [k, v] of Object.entries(changes)) if (v !== undefined) params.set(k, v);
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}
