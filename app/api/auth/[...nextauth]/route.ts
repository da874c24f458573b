// GET|POST /api/auth/* — next-auth: sign-in (password, OIDC), sign-out, session, CSRF token
import NextAuth from "next-auth";
import { getAuthOptions } from "@/server/auth/options";

export const dynamic = "force-dynamic";

// next-auth brings its own CSRF token check, and audits through the options' callbacks.
async function handler(req: Request, ctx: { params: Promise<{ nextauth: string[] }> }) {
  return NextAuth(req as never, { params: await ctx.params } as never, getAuthOptions());
}

export { handler as GET, handler as POST };
