import { CommandPalette } from "@/components/command-palette";
import { EnvironmentSwitcher } from "@/components/environment-switcher";
import { MobileNav } from "@/components/mobile-nav";
import { NavLinks } from "@/components/nav-links";
import { UserMenu } from "@/components/user-menu";
import type { SessionUser } from "@/server/auth/session";

export type EnvironmentOption = { id: string; name: string; protected: boolean };

/** The sidebar (a menu button below md), the header, and the page; nothing in it is wider than the screen. */
export function AppShell({
  user,
  title,
  environments,
  selectedEnvironment,
  children,
}: {
  user: SessionUser;
  title: string;
  environments: EnvironmentOption[];
  selectedEnvironment: string;
  children: React.ReactNode;
}) {
  return (
    <div className="flex min-h-screen">
      {/* The first thing Tab reaches: past the navigation to the page itself. */}
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-white text-sm font-medium text-slate-900 shadow focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:ring-2 focus:ring-slate-900"
      >
        {/* Padding on the link itself would outlast sr-only's 1 px box; inside it, it is clipped. */}
        <span className="block px-3 py-2">Skip to content</span>
      </a>
      <aside className="theme-fixed hidden w-56 shrink-0 flex-col bg-slate-900 text-slate-200 md:flex">
        <div className="px-5 py-4">
          <div className="text-lg font-semibold text-white">Opsdeck</div>
          <div className="truncate text-xs text-slate-400">{title}</div>
        </div>
        <NavLinks />
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-between gap-2 border-b border-slate-200 bg-white px-4 py-3 sm:gap-4 sm:px-6">
          <div className="flex min-w-0 items-center gap-2 sm:gap-4">
            <MobileNav title={title} />
            <EnvironmentSwitcher environments={environments} selected={selectedEnvironment} />
          </div>
          <div className="flex items-center gap-2 sm:gap-4">
            <CommandPalette />
            <UserMenu name={user.name} email={user.email} role={user.role} />
          </div>
        </header>
        <main id="main" tabIndex={-1} className="min-w-0 flex-1 px-4 py-6 outline-none sm:px-6">
          {children}
        </main>
      </div>
    </div>
  );
}
