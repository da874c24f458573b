import Link from "next/link";
import { Time } from "@/components/ui/time";

export type OnCallSummary = {
  id: string;
  name: string;
  now: { person: string; until: string; override: boolean } | null;
  next: { person: string; from: string } | null;
};

/** Who is on call now and next, per schedule (Overview and On-call pages). */
export function OnCallNow({
  schedules,
  timeZone: tz,
}: {
  schedules: OnCallSummary[];
  timeZone: string;
}) {
  if (schedules.length === 0) return null;
  return (
    <section
      aria-label="On call"
      className="rounded-lg border border-slate-200 bg-white p-4 text-sm"
      data-testid="oncall-now"
    >
      <h2 className="mb-2 font-semibold">
        <Link href="/oncall" className="hover:underline">
          On call
        </Link>
      </h2>
      <ul className="space-y-1">
        {schedules.map((s) => (
          <li key={s.id}>
            <span className="text-slate-500">{s.name}:</span>{" "}
            {s.now ? (
              <>
                <strong>{s.now.person}</strong>
                {s.now.override ? " (override)" : ""} until{" "}
                <Time timeZone={tz} value={s.now.until} />
              </>
            ) : (
              <span className="text-red-700">nobody</span>
            )}
            {s.next ? (
              <span className="text-slate-500">
                {" "}
                · next {s.next.person} from <Time timeZone={tz} value={s.next.from} />
              </span>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
