"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

export function SettingsTabs({ isAdmin }: { isAdmin: boolean }) {
  const pathname = usePathname();
  const tabs = [
    { href: "/settings", label: "System" },
    { href: "/settings/jobs", label: "Jobs" },
    { href: "/settings/preferences", label: "Your preferences" },
    ...(isAdmin ? [{ href: "/settings/users", label: "Users" }] : []),
  ];
  return (
    <nav aria-label="Settings" className="flex gap-1 border-b border-slate-200">
      {tabs.map((t) => {
        const active = pathname === t.href;
        return (
          <Link
            key={t.href}
            href={t.href}
            aria-current={active ? "page" : undefined}
            className={`-mb-px border-b-2 px-3 py-2 text-sm ${active ? "border-slate-900 font-medium" : "border-transparent text-slate-600 hover:text-slate-900"}`}
          >
            {t.label}
          </Link>
        );
      })}
    </nav>
  );
}
