import "server-only";
import { cookies } from "next/headers";
import { ENV_COOKIE } from "@/lib/nav";
import { getSessionUser } from "@/server/auth/session";
import { getConfig } from "@/server/config";
import type { OpsdeckConfig } from "@/server/config/schema";

/** The environment chosen in the switcher, or "all". */
export async function selectedEnvironment(config: OpsdeckConfig): Promise<string> {
  const chosen = (await cookies()).get(ENV_COOKIE)?.value;
  return config.environments.some((e) => e.id === chosen) ? chosen! : "all";
}

/**
 * What follows the page's name in every signed-in tab's title: the instance
 * ("Alerts · Opsdeck"). Null for an anonymous request, which is shown nothing from the config.
 */
export async function titleSuffix(): Promise<string | null> {
  if (!(await getSessionUser())) return null;
  return getConfig().config.title;
}

/**
 * The environment a page that honours the header's switcher is showing, for its title
 * ("Deployments · Production · Opsdeck"); pages that show every environment do not name one.
 */
export async function environmentInView(): Promise<string> {
  const { config } = getConfig();
  const chosen = await selectedEnvironment(config);
  return config.environments.find((e) => e.id === chosen)?.name ?? "All environments";
}
