"use client";

import Link from "next/link";
import { StatusPill } from "@/components/status-pill";
import { formatDuration } from "@/lib/duration";
import { formatUptime, worstStatus } from "@/lib/uptime";
import type { UptimeStatusView } from "@/lib/uptime-view";
import { STATUS_STYLE } from "./status-dot";
import { useUptimeStatus } from "./use-uptime-status";

type Env = { id: string; name: string; protected: boolean };
type Service = { id: string; name: string; description: string | null; environments: string[] };

/** Open incidents, then services × environments coloured by their worst monitor; live. */
export function OverviewBoard({
  initial,
  environments,
  services,
}: {
  initial: UptimeStatusView;
  environments: Env[];
  services: Service[];
}) {
  const { monitors, incidents, at } = useUptimeStatus(initial);
  const byId = new Map(monitors.map((m) => [m.id, m]));
  const now = Date.parse(at);
  return (
    <div className="space-y-6">
      <section aria-label="Open incidents" data-testid="open-incidents">
        {incidents.length === 0 ? (
          <p className="rounded-lg border border-green-200 bg-green-50 px-4 py-3 text-sm text-green-900">
            No open incidents.
          </p>
        ) : (
          <ul className="space-y-2">
            {incidents.map((i) => {
              const m = byId.get(i.monitorId);
              return (
                <li
                  key={i.id}
                  className="rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm"
                  data-testid={`incident-${i.monitorId}`}
                >
                  <div className="flex flex-wrap items-center gap-2">
                    <StatusPill status="down" />
                    <Link href={`/uptime/${i.monitorId}`} className="font-medium underline">
                      {m?.name ?? i.monitorId}
                    </Link>
                    <span className="text-slate-600">
                      {m
                        ? `${services.find((s) => s.id === m.service)?.name ?? m.service} · ${environments.find((e) => e.id === m.environment)?.name ?? m.environment}`
                        : null}{" "}
                      · down for {formatDuration(Math.max(0, now - Date.parse(i.openedAt)))}
                    </span>
                  </div>
                  <div className="mt-1 text-red-800">{i.cause}</div>
                </li>
              );
            })}
          </ul>
        )}
      </section>

      {services.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">
          No services are configured yet. Add them under <code>services:</code> in opsdeck.yaml.
        </p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="table-cards w-full text-sm" data-testid="service-grid">
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2">
                  Service
                </th>
                {environments.map((env) => (
                  <th scope="col" key={env.id} className="px-4 py-2">
                    {env.name}
                    {env.protected ? (
                      <span className="ml-1 normal-case text-slate-400">(protected)</span>
                    ) : null}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {services.map((service) => (
                <tr key={service.id} className="border-t border-slate-100 align-top">
                  <th scope="row" className="px-4 py-3 text-left font-medium">
                    {service.name}
                    {service.description ? (
                      <div className="text-xs font-normal text-slate-500">
                        {service.description}
                      </div>
                    ) : null}
                  </th>
                  {environments.map((env) => {
                    const cell = monitors.filter(
                      (m) => m.service === service.id && m.environment === env.id,
                    );
                    const worst = worstStatus(cell.map((m) => m.status));
                    if (!worst) {
                      return (
                        <td
                          key={env.id}
                          className="px-4 py-3 text-xs text-slate-400"
                          data-testid={`cell-${service.id}-${env.id}`}
                          data-label={env.name}
                        >
                          {service.environments.includes(env.id)
                            ? "no monitor"
                            : "not deployed here"}
                        </td>
                      );
                    }
                    const style = STATUS_STYLE[worst];
                    const uptimes = cell
                      .map((m) => m.uptime["24h"])
                      .filter((u): u is number => u !== null);
                    // A heartbeat's "response time" is its job's run time: not a latency.
                    const latency = cell
                      .filter((m) => m.type !== "heartbeat")
                      .map((m) => m.lastResponseMs)
                      .filter((v): v is number => v !== null);
                    return (
                      <td
                        key={env.id}
                        className="px-2 py-2"
                        data-testid={`cell-${service.id}-${env.id}`}
                        data-label={env.name}
                      >
                        <Link
                          href={`/uptime?service=${service.id}&environment=${env.id}`}
                          className={`block rounded-md border px-3 py-2 hover:shadow-sm ${style.cell}`}
                          data-status={worst}
                        >
                          <div className={`font-medium ${style.text}`}>{style.label}</div>
                          <div className="text-xs text-slate-600">
                            {latency.length ? `${Math.max(...latency)} ms · ` : ""}
                            24 h {formatUptime(uptimes.length ? Math.min(...uptimes) : null)}
                          </div>
                          <div className="text-[11px] text-slate-500">
                            {cell.length} monitor{cell.length === 1 ? "" : "s"}
                          </div>
                        </Link>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
