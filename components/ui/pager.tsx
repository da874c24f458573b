import Link from "next/link";

/** "Showing X–Y of N" with previous/next links (absent at either end). */
export function Pager({
  from,
  to,
  total,
  noun,
  prevHref,
  nextHref,
  testId,
}: {
  from: number;
  to: number;
  total: number;
  noun: string;
  prevHref: string | null;
  nextHref: string | null;
  testId?: string;
}) {
  return (
    <nav
      aria-label={`Pages of ${noun}`}
      className="flex flex-wrap items-center justify-between gap-2 text-sm text-slate-600"
      data-testid={testId}
    >
      <span>{total === 0 ? `No ${noun}` : `Showing ${from}–${to} of ${total} ${noun}`}</span>
      <span className="flex gap-3">
        {prevHref ? (
          <Link href={prevHref} className="underline" rel="prev">
            ← Previous
          </Link>
        ) : null}
        {nextHref ? (
          <Link href={nextHref} className="underline" rel="next">
            Next →
          </Link>
        ) : null}
      </span>
    </nav>
  );
}
