import { NextResponse, type NextRequest } from "next/server";
import { env } from "./env";
import { ACTION_BODY_LIMIT, badActionBody, badSignInQuery } from "./lib/request-checks";
import { STATUS_PAGE_CACHE_CONTROL } from "./lib/status-page";
import { contentSecurityPolicy, staticSecurityHeaders } from "./lib/security-headers";

/**
 * Security headers and the per-request CSP nonce; the HTTPS redirect when asked
 * for; cross-site posts to pages refused; requests Next would answer with a 500
 * (a malformed or oversized server action body, a doubled or control-character
 * sign-in callback) answered with a 4xx instead (scripts/bad-request.ts handles
 * those the proxy cannot see).
 * Not an authorisation check: pages and handlers check the session themselves.
 */
export async function proxy(req: NextRequest) {
  const proto =
    req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() ??
    req.nextUrl.protocol.replace(":", "");
  const https = proto === "https";
  if (env.OPSDECK_FORCE_HTTPS && !https) {
    const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host") ?? req.nextUrl.host;
    return NextResponse.redirect(
      `https://${host}${req.nextUrl.pathname}${req.nextUrl.search}`,
      308,
    );
  }

  const refusal = await refuse(req);
  if (refusal) return refusal;

  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const csp = contentSecurityPolicy(nonce, { dev: env.NODE_ENV === "development", https });
  const requestHeaders = new Headers(req.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", csp);
  requestHeaders.set("x-pathname", req.nextUrl.pathname + req.nextUrl.search);

  const res = NextResponse.next({ request: { headers: requestHeaders } });
  res.headers.set("content-security-policy", csp);
  for (const [name, value] of Object.entries(
    staticSecurityHeaders(https || env.OPSDECK_FORCE_HTTPS),
  )) {
    res.headers.set(name, value);
  }
  // Public status pages are the same for everyone and computed at most every cacheSeconds.
  if (req.method === "GET" && isPublicStatusPath(req.nextUrl.pathname))
    res.headers.set("cache-control", STATUS_PAGE_CACHE_CONTROL);
  return res;
}

/** /status/{slug} and /api/status/{slug}: no sign-in, the same answer for everyone. */
function isPublicStatusPath(pathname: string): boolean {
  return /^\/(api\/)?status\/[a-z0-9][a-z0-9-]{0,62}\/?$/.test(pathname);
}

const plain = (status: number, text: string) =>
  new NextResponse(text, { status, headers: { "content-type": "text/plain; charset=utf-8" } });

async function refuse(req: NextRequest): Promise<NextResponse | null> {
  const page = !req.nextUrl.pathname.startsWith("/api/");

  // A post to a page is a server action. Posted by another site's page (by script
  // or by a plain form, which carries no Next-Action header), refuse it plainly
  // here; Next's own check would also stop it, but answers 500. Browsers always
  // send Origin on a POST; /api routes check the origin themselves.
  if (req.method === "POST" && page && crossSite(req))
    return plain(403, "Cross-site request refused.");

  if (req.nextUrl.pathname === "/login") {
    const bad = badSignInQuery(req.nextUrl.searchParams);
    if (bad) return plain(400, `This sign-in link is not valid: ${bad}`);
  }

  if (req.method === "POST" && req.headers.has("next-action")) {
    const tooLarge = plain(413, "A server action request is limited to 1 MB.");
    if (Number(req.headers.get("content-length") ?? 0) > ACTION_BODY_LIMIT) return tooLarge;
    // Read from a copy (Next still reads the original after the proxy), and stop at the limit.
    const body = await readUpTo(req.clone().body, ACTION_BODY_LIMIT);
    if (body === null) return tooLarge;
    const bad = badActionBody(req.headers.get("content-type"), body);
    if (bad) return plain(400, `This is not a valid server action request (${bad}).`);
  }
  return null;
}

/** The body as text, or null once it passes `limit` bytes (the rest is not read). */
async function readUpTo(stream: ReadableStream<Uint8Array> | null, limit: number) {
  if (!stream) return "";
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      void reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function crossSite(req: NextRequest): boolean {
  const origin = req.headers.get("origin");
  if (!origin) return false;
  let from: URL;
  try {
    from = new URL(origin);
  } catch {
    return true;
  }
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host") ?? req.nextUrl.host;
  if (from.host === host) return false;
  return !(env.OPSDECK_URL && new URL(env.OPSDECK_URL).origin === from.origin);
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
