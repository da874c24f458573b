export function Skeleton({
  className = "",
  label = "Loading…",
}: {
  className?: string;
  label?: string;
}) {
  return (
    <div
      role="status"
      aria-live="polite"
      className={`animate-pulse rounded-lg bg-slate-200/70 ${className}`}
    >
      <span className="sr-only">{label}</span>
    </div>
  );
}
