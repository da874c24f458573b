import type { Metadata } from "next";
import { cookies } from "next/headers";
import { AppShell } from "@/components/app-shell";
import { Providers } from "@/components/providers";
import { ENV_COOKIE } from "@/lib/nav";
import { getSessionUser, requirePageUser } from "@/server/auth/session";
import { getConfig } from "@/server/config";
import type { OpsdeckConfig } from "@/server/config/schema";
import { getDb } from "@/server/db";
import { firingSummary } from "@/server/queries/alerts";

/** The environment chosen in the switcher, or "all". */
async function chosenEnvironment(config: OpsdeckConfig): Promise<string> {
  const chosen = (await cookies()).get(ENV_COOKIE)?.value;
  return config.environments.some((e) => e.id === chosen) ? chosen! : "all";
}

// Every tab names the page, the environment in view and the instance:
// "Alerts · Production · Opsdeck". Nothing from the config for an anonymous request.
export async function generateMetadata(): Promise<Metadata> {
  if (!(await getSessionUser())) return {};
  const { config } = getConfig();
  const chosen = await chosenEnvironment(config);
  const environment = config.environments.find((e) => e.id === chosen)?.name ?? "All environments";
  return { title: { template: `%s · ${environment} · ${config.title}`, default: config.title } };
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
  const selected = await chosenEnvironment(config);
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
