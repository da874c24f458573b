import { PageHeader } from "@/components/page-header";
import { SettingsTabs } from "@/components/settings-tabs";
import { requirePageUser } from "@/server/auth/session";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";

export default async function SettingsLayout({ children }: { children: React.ReactNode }) {
  const user = await requirePageUser();
  return (
    <>
      <PageHeader title="Settings" timeZone={await viewerTimeZone(user)} />
      <SettingsTabs isAdmin={user.role === "admin"} />
      <div className="mt-6">{children}</div>
    </>
  );
}
