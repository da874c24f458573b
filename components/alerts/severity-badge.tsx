const STYLES = {
  critical: "bg-red-100 text-red-800",
  warning: "bg-amber-100 text-amber-800",
  info: "bg-sky-100 text-sky-800",
} as const;
const MARK = { critical: "▲", warning: "◆", info: "●" } as const;

/** Severity with colour and a shape, so it reads without colour too. */
export function SeverityBadge({ severity }: { severity: keyof typeof STYLES }) {
  return (
    <span
      className={`inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-xs font-medium ${STYLES[severity]}`}
    >
      <span aria-hidden>{MARK[severity]}</span>
      {severity}
    </span>
  );
}
