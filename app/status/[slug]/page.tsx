import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PublicIncident } from "@/components/status/public-incident";
import { StatusDayBars } from "@/components/status/status-day-bars";
import { RESOLVED_SHOWN_DAYS, type OverallState, type PublicServiceState } from "@/lib/status-page";
import { formatUptime, utcMinute } from "@/lib/uptime";
import { getConfig } from "@/server/config";
import { cachedStatusPage, statusPageBySlug } from "@/server/queries/status-page";

// Public by design (no sign-in): it shows only what cachedStatusPage builds for the public.

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const page = statusPageBySlug(getConfig().config, (await params).slug);
  return { title: { absolute: page?.title ?? "Not found" } };
}

const BANNER: Record<OverallState, string> = {
  operational: "bg-green-600 text-white",
  degraded: "bg-amber-500 text-slate-950",
  partial: "bg-orange-600 text-white",
  major: "bg-red-700 text-white",
  unknown: "bg-slate-500 text-white",
};

const SERVICE: Record<PublicServiceState, { label: string; className: string }> = {
  operational: { label: "Operational", className: "text-green-700" },
  degraded: { label: "Degraded", className: "text-amber-700" },
  down: { label: "Outage", className: "text-red-700" },
  unknown: { label: "No data", className: "text-slate-500" },
};

export default async function StatusPage({ params }: Props) {
  const data = cachedStatusPage((await params).slug);
  if (!data) notFound();
  return (
    <main className="mx-auto w-full max-w-3xl space-y-6 px-4 py-8 text-slate-900">
      <header>
        <h1 className="text-2xl font-semibold break-words">{data.title}</h1>
        {data.description ? (
          <p className="mt-1 text-sm text-slate-600">{data.description}</p>
        ) : null}
      </header>
      <p
        className={`rounded-lg px-4 py-3 text-lg font-semibold ${BANNER[data.state]}`}
        data-testid="overall-state"
        data-state={data.state}
      >
        {data.headline}
      </p>
      {data.openIncidents.length ? (
        <section aria-labelledby="open-incidents" className="space-y-3">
          <h2 id="open-incidents" className="text-lg font-semibold">
            Active incidents
          </h2>
          {data.openIncidents.map((incident, i) => (
            <PublicIncident key={`${incident.startedAt}-${i}`} incident={incident} />
          ))}
        </section>
      ) : null}
      <section aria-labelledby="services" className="rounded-lg border border-slate-200 bg-white">
        <h2 id="services" className="sr-only">
          Services
        </h2>
        <ul className="divide-y divide-slate-200">
          {data.services.map((s) => (
            <li key={s.name} className="space-y-2 p-4" data-testid="status-service">
              <div className="flex flex-wrap items-baseline justify-between gap-x-4">
                <h3 className="font-medium break-words">{s.name}</h3>
                <span className={`text-sm font-medium ${SERVICE[s.state].className}`}>
                  {SERVICE[s.state].label}
                </span>
              </div>
              <StatusDayBars name={s.name} days={s.days} />
              <div className="flex justify-between gap-2 text-xs text-slate-500">
                <span>{s.days.length} days ago</span>
                <span>{formatUptime(s.uptime90d)} uptime</span>
                <span>Today</span>
              </div>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="past-incidents" className="space-y-3">
        <h2 id="past-incidents" className="text-lg font-semibold">
          Resolved in the last {RESOLVED_SHOWN_DAYS} days
        </h2>
        {data.resolvedIncidents.length ? (
          data.resolvedIncidents.map((incident, i) => (
            <PublicIncident key={`${incident.startedAt}-${i}`} incident={incident} />
          ))
        ) : (
          <p className="text-sm text-slate-500">No incidents reported.</p>
        )}
      </section>
      <footer className="text-xs text-slate-500">Updated {utcMinute(data.at)}</footer>
    </main>
  );
}
