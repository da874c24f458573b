import Link from "next/link";

export const ALERT_TABS = [
  ["active", "Firing & pending"],
  ["history", "History"],
  ["rules", "Rules"],
  ["silences", "Silences"],
  ["channels", "Channels"],
] as const;
export type AlertTab = (typeof ALERT_TABS)[number][0];

export function AlertTabs({ current }: { current: AlertTab }) {
  return (
    <nav aria-label="Alerts" className="mb-4 flex flex-wrap gap-1 border-b border-slate-200">
      {ALERT_TABS.map(([id, label]) => (
        <Link
          key={id}
          href={id === "active" ? "/alerts" : `/alerts?tab=${id}`}
          aria-current={current === id ? "page" : undefined}
          className={`-mb-px border-b-2 px-3 py-2 text-sm ${current === id ? "border-slate-900 font-medium" : "border-transparent text-slate-600 hover:text-slate-900"}`}
        >
          {label}
        </Link>
      ))}
    </nav>
  );
}
