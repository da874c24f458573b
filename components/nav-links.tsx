"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useLiveAlerts } from "@/components/live/live-state";
import { NAV } from "@/lib/nav";

/** The sections, with the live count of firing alerts beside Alerts (red when any is critical). */
export function NavLinks({ onNavigate }: { onNavigate?: () => void }) {
  const pathname = usePathname();
  const { firing } = useLiveAlerts();
  const badges: Record<string, { count: number; critical: boolean }> = {
    "/alerts": { count: firing.total, critical: firing.critical > 0 },
  };
  return (
    <nav aria-label="Main" className="flex-1 space-y-0.5 px-2 pb-4">
      {NAV.map((item) => {
        const active = item.href === "/" ? pathname === "/" : pathname.startsWith(item.href);
        const badge = badges[item.href];
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={active ? "page" : undefined}
            onClick={onNavigate}
            className={`flex items-center justify-between rounded-md px-3 py-2 text-sm md:py-1.5 ${
              active
                ? "bg-slate-700 text-white"
                : "text-slate-300 hover:bg-slate-800 hover:text-white"
            }`}
          >
            {item.label}
            {badge?.count ? (
              <span
                data-testid={`nav-badge-${item.href.slice(1)}`}
                title={`${badge.count} firing`}
                className={`rounded-full px-1.5 text-[11px] font-semibold ${badge.critical ? "bg-red-600 text-white" : "bg-amber-400 text-slate-900"}`}
              >
                {badge.count}
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
