import { NextResponse, type NextRequest } from "next/server";
import { env } from "./env";
import { contentSecurityPolicy, staticSecurityHeaders } from "./lib/security-headers";

/**
 * Security headers and the per-request CSP nonce; the HTTPS redirect when asked
 * for; cross-site server action posts refused. Not an authorisation check: pages and
 * handlers check the session themselves.
 */
export function proxy(req: NextRequest) {
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

  // A server action posted by another site's page: refuse it plainly here (Next's own
  // check would also stop it, but answers 500). Browsers always send Origin on a POST.
  if (req.method === "POST" && req.headers.has("next-action") && crossSite(req)) {
    return new NextResponse("Cross-site request refused.", {
      status: 403,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }

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
  return res;
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
