import type { Metadata } from "next";
import Link from "next/link";
import { AlertTabs, ALERT_TABS, type AlertTab } from "@/components/alerts/alert-tabs";
import { PageHeader } from "@/components/page-header";
import { hasRole } from "@/lib/roles";
import { firstParam, type SearchParams } from "@/lib/search-params";
import { requirePageUser } from "@/server/auth/session";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";
import { ActiveTab } from "./_tabs/active-tab";
import { ChannelsTab } from "./_tabs/channels-tab";
import { HistoryTab } from "./_tabs/history-tab";
import { RulesTab } from "./_tabs/rules-tab";
import { SilencesTab } from "./_tabs/silences-tab";
import type { TabProps } from "./_tabs/tab-props";

export const metadata: Metadata = { title: "Alerts" };

const TABS: Record<AlertTab, (props: TabProps) => React.ReactNode> = {
  active: ActiveTab,
  history: HistoryTab,
  rules: RulesTab,
  silences: SilencesTab,
  channels: ChannelsTab,
};

export default async function AlertsPage({
  searchParams,
}: {
  searchParams: Promise<SearchParams>;
}) {
  const user = await requirePageUser();
  const tz = await viewerTimeZone(user);
  const search = await searchParams;
  const asked = firstParam(search.tab);
  const tab: AlertTab = ALERT_TABS.some(([id]) => id === asked) ? (asked as AlertTab) : "active";
  const Tab = TABS[tab];
  // eslint-disable-next-line react-hooks/purity -- a server render reads the clock once
  const now = Date.now();
  return (
    <div>
      <PageHeader
        title="Alerts"
        timeZone={tz}
        description="Rules from opsdeck.yaml, evaluated every few seconds; notifications grouped, silenced and escalated as configured."
        actions={
          <Link href="/runbooks/alerting" className="text-sm underline">
            Runbook: alerting and on-call
          </Link>
        }
      />
      <AlertTabs current={tab} />
      <Tab search={search} now={now} canOperate={hasRole(user.role, "operator")} tz={tz} />
    </div>
  );
}
