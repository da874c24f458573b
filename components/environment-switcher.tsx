"use client";

import { usePathname, useRouter } from "next/navigation";
import { useTransition } from "react";
import { ENV_COOKIE, showsEnvironmentSwitcher } from "@/lib/nav";
import type { EnvironmentOption } from "@/components/app-shell";

/** A view preference, not a change to anything: kept in a cookie the pages read. */
export function EnvironmentSwitcher({
  environments,
  selected,
}: {
  environments: EnvironmentOption[];
  selected: string;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  if (!showsEnvironmentSwitcher(pathname)) return null;
  return (
    <label className="flex min-w-0 items-center gap-2 text-sm text-slate-600">
      {/* On a phone the select's own label names it; the header has no room for the word. */}
      <span className="hidden sm:inline">Environment</span>
      <select
        aria-label="Environment"
        className="min-w-0 max-w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900"
        value={selected}
        disabled={pending}
        onChange={(e) => {
          document.cookie = `${ENV_COOKIE}=${encodeURIComponent(e.target.value)}; path=/; max-age=31536000; samesite=lax`;
          startTransition(() => router.refresh());
        }}
      >
        <option value="all">All environments</option>
        {environments.map((env) => (
          <option key={env.id} value={env.id}>
            {env.name}
            {env.protected ? " (protected)" : ""}
          </option>
        ))}
      </select>
    </label>
  );
}
