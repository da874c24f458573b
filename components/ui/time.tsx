/** A UTC timestamp, readable and exact (on-call teams span time zones). */
export function Time({ value }: { value: Date | string | null }) {
  if (!value) return <span className="text-slate-400">—</span>;
  const date = typeof value === "string" ? new Date(value) : value;
  const iso = date.toISOString();
  return (
    <time dateTime={iso} title={iso}>
      {iso.slice(0, 19).replace("T", " ")} UTC
    </time>
  );
}
