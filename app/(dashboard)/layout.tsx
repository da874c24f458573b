import type { Metadata } from "next";
import { AppShell } from "@/components/app-shell";
import { Providers } from "@/components/providers";
import { requirePageUser } from "@/server/auth/session";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { firingSummary } from "@/server/queries/alerts";
import { selectedEnvironment, titleSuffix } from "@/server/queries/page-title";

// Every tab names the page, the environment in view and the instance:
// "Alerts · Production · Opsdeck". (The overview, in this segment, sets its own.)
export async function generateMetadata(): Promise<Metadata> {
  const suffix = await titleSuffix();
  return suffix ? { title: { template: `%s · ${suffix}`, default: suffix } } : {};
}

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
  const selected = await selectedEnvironment(config);
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
