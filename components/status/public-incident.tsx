import type { PublicIncident as Incident } from "@/lib/status-page";
import { utcMinute } from "@/lib/uptime";

const STATUS_LABEL: Record<Incident["status"], string> = {
  investigating: "Investigating",
  identified: "Identified",
  monitoring: "Monitoring",
  resolved: "Resolved",
};

/** One incident as the public sees it: its title, the services it touches and its updates, newest first. */
export function PublicIncident({ incident }: { incident: Incident }) {
  const open = incident.status !== "resolved";
  return (
    <article
      className={`rounded-lg border bg-white p-4 ${open ? "border-amber-300" : "border-slate-200"}`}
      data-testid="public-incident"
    >
      <h3 className="font-semibold break-words">{incident.title}</h3>
      <p className="text-xs text-slate-500">
        {STATUS_LABEL[incident.status]} · {incident.services.join(", ")} · since{" "}
        {utcMinute(incident.startedAt)}
      </p>
      <ol className="mt-3 space-y-3 border-l-2 border-slate-200 pl-3">
        {incident.updates.map((u, i) => (
          <li key={`${u.at}-${i}`}>
            <p className="text-sm break-words whitespace-pre-line">
              <strong>{STATUS_LABEL[u.status]}</strong> — {u.message}
            </p>
            <p className="text-xs text-slate-500">{utcMinute(u.at)}</p>
          </li>
        ))}
      </ol>
    </article>
  );
}
