import "server-only";

/** What one delivery attempt came to. */
export type Outcome =
  { ok: true } | { ok: false; permanent: boolean; error: string; retryAfterMs?: number };

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A fetch that failed before any answer: the receiver is down or slow, worth retrying. */
export function networkFailure(err: unknown): Outcome {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const reason =
    e.name === "TimeoutError" || e.name === "AbortError"
      ? "timed out"
      : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(err));
  return { ok: false, permanent: false, error: `could not reach the receiver: ${reason}` };
}

/** 429 and 5xx are worth retrying; any other 4xx will fail the same way again. */
export function httpFailure(status: number, body: string, retryAfter: string | null): Outcome {
  const text = body.trim().slice(0, 300) || `HTTP ${status}`;
  if (status === 429)
    return {
      ok: false,
      permanent: false,
      error: `rate limited (429${body.trim() ? ` ${text}` : ""})`,
      retryAfterMs: retryAfterMs(retryAfter),
    };
  if (status >= 500) return { ok: false, permanent: false, error: `HTTP ${status}: ${text}` };
  return { ok: false, permanent: true, error: `HTTP ${status}: ${text}` };
}
