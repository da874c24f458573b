import "server-only";
import { createHash } from "node:crypto";

/**
 * How many live job streams (server-sent events) may be open: each polls the database
 * four times a second, so an unbounded number would starve everything else (500 made
 * /api/health take 22 s). Per session, so one person's tabs cannot use up the total.
 */
export const STREAM_LIMITS = { perSession: 4, total: 64 } as const;

type Counts = { total: number; bySession: Map<string, number> };
const state = globalThis as unknown as { __opsdeckStreams?: Counts };
const counts = (state.__opsdeckStreams ??= { total: 0, bySession: new Map() });

/** The session a request belongs to: a hash of its session cookie (never the cookie itself). */
export function sessionKey(req: Request, fallback: string): string {
  const cookies = (req.headers.get("cookie") ?? "")
    .split(";")
    .map((c) => c.trim())
    .filter((c) => /^(__Secure-)?next-auth\.session-token(\.\d+)?=/.test(c))
    .sort();
  if (cookies.length === 0) return fallback;
  return createHash("sha256").update(cookies.join(";")).digest("hex").slice(0, 32);
}

export type StreamSlot = { release(): void };

/** Takes a place for one stream, or says why not (with the limit that was reached). */
export function openStream(session: string): StreamSlot | { refused: string } {
  const mine = counts.bySession.get(session) ?? 0;
  if (mine >= STREAM_LIMITS.perSession)
    return {
      refused: `You have ${mine} live job views open (the limit is ${STREAM_LIMITS.perSession}); close one, or reload this page later.`,
    };
  if (counts.total >= STREAM_LIMITS.total)
    return {
      refused: `Opsdeck is serving ${counts.total} live job views (the limit is ${STREAM_LIMITS.total}); try again shortly.`,
    };
  counts.total++;
  counts.bySession.set(session, mine + 1);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      counts.total--;
      const left = (counts.bySession.get(session) ?? 1) - 1;
      if (left <= 0) counts.bySession.delete(session);
      else counts.bySession.set(session, left);
    },
  };
}
