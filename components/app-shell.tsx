import { EnvironmentSwitcher } from "@/components/environment-switcher";
import { NavLinks } from "@/components/nav-links";
import { UserMenu } from "@/components/user-menu";
import type { SessionUser } from "@/server/auth/session";

export type EnvironmentOption = { id: string; name: string; protected: boolean };

export function AppShell({
  user,
  title,
  environments,
  selectedEnvironment,
  badges,
  children,
}: {
  badges?: Record<string, { count: number; critical: boolean }>;
  user: SessionUser;
  title: string;
  environments: EnvironmentOption[];
  selectedEnvironment: string;
  children: React.ReactNode;
}) {
  return (
    <div className="flex min-h-screen">
      <aside className="hidden w-56 shrink-0 flex-col bg-slate-900 text-slate-200 md:flex">
        <div className="px-5 py-4">
          <div className="text-lg font-semibold text-white">Opsdeck</div>
          <div className="truncate text-xs text-slate-400">{title}</div>
        </div>
        <NavLinks badges={badges} />
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-between gap-4 border-b border-slate-200 bg-white px-6 py-3">
          <EnvironmentSwitcher environments={environments} selected={selectedEnvironment} />
          <UserMenu name={user.name} email={user.email} role={user.role} />
        </header>
        <main className="flex-1 px-6 py-6">{children}</main>
      </div>
    </div>
  );
}
