"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { NAV } from "@/lib/nav";

/** `badges`: a count beside a section (firing alerts), red when any is critical. */
export function NavLinks({
  badges = {},
}: {
  badges?: Record<string, { count: number; critical: boolean }>;
}) {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="flex-1 space-y-0.5 px-2 pb-4">
      {NAV.map((item) => {
        const active = item.href === "/" ? pathname === "/" : pathname.startsWith(item.href);
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={active ? "page" : undefined}
            className={`flex items-center justify-between rounded-md px-3 py-1.5 text-sm ${
              active
                ? "bg-slate-700 text-white"
                : "text-slate-300 hover:bg-slate-800 hover:text-white"
            }`}
          >
            {item.label}
            {badges[item.href]?.count ? (
              <span
                data-testid={`nav-badge-${item.href.slice(1)}`}
                title={`${badges[item.href]!.count} firing`}
                className={`rounded-full px-1.5 text-[11px] font-semibold ${badges[item.href]!.critical ? "bg-red-600 text-white" : "bg-amber-400 text-slate-900"}`}
              >
                {badges[item.href]!.count}
              </span>
            ) : null}
            {item.built ? null : (
              <span className="text-[10px] uppercase tracking-wide text-slate-500">soon</span>
            )}
          </Link>
        );
      })}
    </nav>
  );
}
