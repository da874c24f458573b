import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/login-form";
import { safeCallback, signInErrorMessage } from "@/lib/safe-callback";
import { firstParam } from "@/lib/search-params";
import { publicOrigin } from "@/server/auth/options";
import { getSessionUser } from "@/server/auth/session";
import { getConfig } from "@/server/config";

export function generateMetadata(): Metadata {
  return { title: { absolute: `Sign in · ${getConfig().config.title}` } };
}

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string | string[]; error?: string | string[] }>;
}) {
  const { callbackUrl, error } = await searchParams;
  const target = safeCallback(callbackUrl, publicOrigin());
  if (await getSessionUser()) redirect(target);
  const { config } = getConfig();
  const message = signInErrorMessage(firstParam(error));
  return (
    <main className="flex min-h-screen items-center justify-center bg-backdrop px-4">
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
