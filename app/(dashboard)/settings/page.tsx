import type { Metadata } from "next";
import { AdminSystemActions } from "@/components/admin-system-actions";
import { StatusPill } from "@/components/status-pill";
import { Time } from "@/components/ui/time";
import { env } from "@/env";
import { APP_VERSION } from "@/lib/version";
import { requirePageUser } from "@/server/auth/session";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { selfHealth } from "@/server/queries/health";
import { getRuntime } from "@/server/runtime";

export const metadata: Metadata = { title: "Settings" };

export default async function SystemSettingsPage() {
  const user = await requirePageUser();
  const tz = await viewerTimeZone(user);
  const loaded = getConfig();
  const runtime = getRuntime();
  const health = selfHealth(getDb(), runtime);
  const isAdmin = user.role === "admin";
  const rows: [string, React.ReactNode][] = [
    ["Version", APP_VERSION],
    ["Started", <Time timeZone={tz} key="s" value={runtime?.startedAt ?? null} />],
    ["Config loaded", <Time timeZone={tz} key="c" value={loaded.loadedAt} />],
    ["Environments", loaded.config.environments.map((e) => e.name).join(", ")],
    ["Services", String(loaded.config.services.length)],
    ["Single sign-on", loaded.config.auth.oidc ? `on (${loaded.config.auth.oidc.name})` : "off"],
    ["Error tracking (Sentry)", env.SENTRY_DSN ? "on" : "off (SENTRY_DSN not set)"],
    [
      "Scheduler",
      runtime?.engine.status().engine.snapshot?.leader
        ? "this process (leader)"
        : "another process or none",
    ],
    ...(isAdmin
      ? ([
          ["Config file", <code key="f">{loaded.file}</code>],
          ["Data directory", <code key="d">{env.OPSDECK_DATA_DIR}</code>],
        ] as [string, React.ReactNode][])
      : []),
  ];
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <section className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="mb-3 font-semibold">System</h2>
        <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
          {rows.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-slate-500">{k}</dt>
              <dd className="break-all">{v}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="mb-3 flex items-center gap-2 font-semibold">
          Opsdeck health <StatusPill status={health.status} />
        </h2>
        <ul className="space-y-1 text-sm">
          {Object.entries(health.checks).map(([name, check]) => (
            <li key={name} className="flex items-center justify-between">
              <span>{name}</span>
              <StatusPill status={check.status} />
            </li>
          ))}
        </ul>
      </section>
      {isAdmin ? (
        <AdminSystemActions
          auditArchiveDays={loaded.config.housekeeping.auditArchive.olderThanDays}
        />
      ) : null}
    </div>
  );
}
