import { PageHeader } from "@/components/page-header";
import { SettingsTabs } from "@/components/settings-tabs";
import { requirePageUser } from "@/server/auth/session";

export default async function SettingsLayout({ children }: { children: React.ReactNode }) {
  const user = await requirePageUser();
  return (
    <>
      <PageHeader title="Settings" />
      <SettingsTabs isAdmin={user.role === "admin"} />
      <div className="mt-6">{children}</div>
    </>
  );
}
