import type { Metadata } from "next";
import { cookies } from "next/headers";
import { AppShell } from "@/components/app-shell";
import { Providers } from "@/components/providers";
import { TimeZoneCookie } from "@/components/time-zone-cookie";
import { TIME_ZONE_COOKIE } from "@/lib/time-zone-cookie";
import { requirePageUser } from "@/server/auth/session";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { resolveTimeZone, userTimeZoneSetting } from "@/server/preferences/viewer-time-zone";
import { liveAlerts } from "@/server/queries/live-state";
import { selectedEnvironment, titleSuffix } from "@/server/queries/page-title";

// Every tab names the page and the instance: "Alerts · Opsdeck"; the pages that honour the
// environment switcher name the environment too. (The overview, in this segment, sets its own.)
export async function generateMetadata(): Promise<Metadata> {
  const suffix = await titleSuffix();
  return suffix ? { title: { template: `%s · ${suffix}`, default: suffix } } : {};
}

// The session is checked here, on the server, for every page below (and again by each action).
export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const user = await requirePageUser();
  const { config } = getConfig();
  const environments = config.environments.map((e) => ({
    id: e.id,
    name: e.name,
    protected: e.protected,
  }));
  const selected = await selectedEnvironment(config);
  const cookie = (await cookies()).get(TIME_ZONE_COOKIE)?.value;
  const cookieZone = cookie === undefined ? null : resolveTimeZone(null, cookie);
  const followsBrowser = userTimeZoneSetting(getDb(), user.id) === null;
  return (
    // The live state starts from this render; on client navigation (when the layout does
    // not render again) the one live cache keeps it current.
    <Providers live={liveAlerts(getDb(), config)}>
      <TimeZoneCookie current={cookieZone} followsBrowser={followsBrowser} />
      <AppShell
        user={user}
        title={config.title}
        environments={environments}
        selectedEnvironment={selected}
      >
        {children}
      </AppShell>
    </Providers>
  );
}
