import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/login-form";
import { getSessionUser } from "@/server/auth/session";
import { getConfig } from "@/server/config";

export const metadata: Metadata = { title: "Sign in" };

const ERRORS: Record<string, string> = {
  OAuthSignin: "Could not reach the single sign-on provider.",
  OAuthCallback: "Single sign-on did not complete. Try again.",
  Callback: "Single sign-on did not complete. Try again.",
  AccessDenied: "Access denied.",
  SessionRequired: "Sign in to continue.",
  OidcNoSubject: "The identity provider did not say who you are.",
};

/** Only same-site paths may be returned to after sign-in. */
function safeCallback(value: string | undefined): string {
  return value && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\")
    ? value
    : "/";
}

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string; error?: string }>;
}) {
  const { callbackUrl, error } = await searchParams;
  const target = safeCallback(callbackUrl);
  if (await getSessionUser()) redirect(target);
  const { config } = getConfig();
  const message = error
    ? (ERRORS[error] ?? (error.length < 200 ? error : "Sign-in failed."))
    : undefined;
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-900 px-4">
      <div className="w-full max-w-sm rounded-xl bg-white p-8 shadow-xl">
        <h1 className="text-xl font-semibold">Opsdeck</h1>
        <p className="mt-1 text-sm text-slate-500">{config.title}</p>
        <LoginForm
          callbackUrl={target}
          initialError={message}
          sso={config.auth.oidc ? { name: config.auth.oidc.name } : undefined}
        />
      </div>
    </main>
  );
}
