import { cookies } from "next/headers";
import { AppShell } from "@/components/app-shell";
import { Providers } from "@/components/providers";
import { ENV_COOKIE } from "@/lib/nav";
import { requirePageUser } from "@/server/auth/session";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { firingSummary } from "@/server/queries/alerts";

// The session is checked here, on the server, for every page below (and again by each action).
export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const user = await requirePageUser();
  const { config } = getConfig();
  const firing = firingSummary(getDb());
  const environments = config.environments.map((e) => ({
    id: e.id,
    name: e.name,
    protected: e.protected,
  }));
  const chosen = (await cookies()).get(ENV_COOKIE)?.value;
  const selected = environments.some((e) => e.id === chosen) ? chosen! : "all";
  return (
    <Providers>
      <AppShell
        user={user}
        title={config.title}
        environments={environments}
        selectedEnvironment={selected}
        badges={{
          "/alerts": {
            count: firing.critical + firing.warning + firing.info,
            critical: firing.critical > 0,
          },
        }}
      >
        {children}
      </AppShell>
    </Providers>
  );
}
