import type { Metadata } from "next";
import Link from "next/link";
import { AckForm } from "@/components/alerts/ack-form";
import { SeverityBadge } from "@/components/alerts/severity-badge";
import { PageHeader } from "@/components/page-header";
import { Time } from "@/components/ui/time";
import { hasRole } from "@/lib/roles";
import { requirePageUser } from "@/server/auth/session";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { ackLinkView } from "@/server/queries/ack-link";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";

export const metadata: Metadata = { title: "Acknowledge alert", referrer: "no-referrer" };

/** Opened from the Acknowledge link of a Slack message or an email: signed in, one click. */
export default async function AckLinkPage({ params }: { params: Promise<{ token: string }> }) {
  const user = await requirePageUser();
  const tz = await viewerTimeZone(user);
  const { token } = await params;
  const view = ackLinkView(getDb(), getConfig().config, token);
  if (view.kind === "refused")
    return (
      <div className="space-y-4">
        <PageHeader title="Acknowledge alert" />
        <p role="alert" data-testid="ack-link-refused" className="text-sm text-red-800">
          {view.message} Nothing was changed.
        </p>
        <p className="text-sm">
          <Link className="underline" href={view.alertId ? `/alerts/${view.alertId}` : "/alerts"}>
            {view.alertId ? `Open alert #${view.alertId}` : "Open the alerts"}
          </Link>
        </p>
      </div>
    );
  const a = view.alert;
  const { config } = getConfig();
  // Names, not ids: "Navi backend · Production".
  const where = [
    config.services.find((x) => x.id === a.labels.service)?.name ?? a.labels.service,
    config.environments.find((x) => x.id === a.labels.environment)?.name ?? a.labels.environment,
  ]
    .filter(Boolean)
    .join(" · ");
  return (
    <div className="space-y-4">
      <PageHeader
        title={`Acknowledge #${a.id} ${a.name}`}
        description={a.summary}
        actions={<SeverityBadge severity={a.severity} />}
      />
      <dl
        className="grid max-w-xl grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm"
        data-testid="ack-link-alert"
      >
        <dt className="text-slate-500">Severity</dt>
        <dd>{a.severity}</dd>
        <dt className="text-slate-500">Service</dt>
        <dd>{where || "—"}</dd>
        <dt className="text-slate-500">State</dt>
        <dd className="uppercase">{a.state}</dd>
        <dt className="text-slate-500">Since</dt>
        <dd>
          <Time timeZone={tz} value={a.firedAt ?? a.activeAt} />
        </dd>
      </dl>
      {view.kind === "closed" ? (
        <p role="status" data-testid="ack-link-refused" className="text-sm">
          This alert is {a.state}; there is nothing to acknowledge. Nothing was changed.
        </p>
      ) : view.kind === "acked" ? (
        <p role="status" data-testid="ack-link-refused" className="text-sm">
          Already acknowledged by {a.ackedBy} at <Time timeZone={tz} value={a.ackedAt} />. Nothing
          was changed.
        </p>
      ) : !hasRole(user.role, "operator") ? (
        <p role="alert" data-testid="ack-link-refused" className="text-sm text-red-800">
          Acknowledging needs the operator role; you are signed in as {user.email} ({user.role}).
          Nothing was changed.
        </p>
      ) : (
        <AckForm alertId={a.id} token={token} />
      )}
      <p className="text-sm">
        <Link className="underline" href={`/alerts/${a.id}`}>
          Open the alert&apos;s page
        </Link>
      </p>
    </div>
  );
}
