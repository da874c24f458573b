import { StatusPill } from "@/components/status-pill";
import type { ServiceHealth } from "@/server/queries/service-health";

type Env = { id: string; name: string; protected: boolean };
type Service = { id: string; name: string; description: string | null };

export function ServiceGrid({
  environments,
  services,
  health,
}: {
  environments: Env[];
  services: Service[];
  health: ServiceHealth[];
}) {
  if (services.length === 0) {
    return (
      <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">
        No services are configured yet. Add them under <code>services:</code> in opsdeck.yaml.
      </p>
    );
  }
  const cell = (serviceId: string, envId: string) =>
    health.find((h) => h.serviceId === serviceId && h.environmentId === envId);
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-sm" data-testid="service-grid">
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
                  <div className="text-xs font-normal text-slate-500">{service.description}</div>
                ) : null}
              </th>
              {environments.map((env) => {
                const h = cell(service.id, env.id);
                return (
                  <td
                    key={env.id}
                    className="px-4 py-3"
                    data-testid={`health-${service.id}-${env.id}`}
                  >
                    {h ? (
                      <div className="space-y-1">
                        <StatusPill status={h.status} />
                        <div className="text-xs text-slate-600">
                          {h.responseMs !== null ? `${h.responseMs} ms` : null}
                          {h.httpStatus !== null ? ` · HTTP ${h.httpStatus}` : null}
                          {h.version ? ` · v${h.version}` : null}
                        </div>
                        {h.error ? <div className="text-xs text-red-700">{h.error}</div> : null}
                        <div className="truncate text-[11px] text-slate-400" title={h.url}>
                          {h.url}
                        </div>
                      </div>
                    ) : (
                      <span className="text-xs text-slate-400">not deployed here</span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
