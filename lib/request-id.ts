/** An incoming x-request-id is kept when it is short and plain; otherwise a new one is made. */
export function acceptRequestId(
  incoming: string | string[] | undefined,
  generate: () => string,
): string {
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : generate();
}
