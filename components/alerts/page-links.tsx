import Link from "next/link";

/**
 * Under a paged list: back to the start once past it, and on to the next page while
 * there is one. Pages are keyset cursors, so there is no page count to show.
 */
export function PageLinks({
  first,
  next,
  label = "Next page",
  testId,
}: {
  /** The list's first page, shown when this is not it. */
  first?: string;
  next?: string;
  label?: string;
  testId?: string;
}) {
  if (!first && !next) return null;
  return (
    <nav aria-label="Pages" className="mt-3 flex gap-4 text-sm" data-testid={testId}>
      {first ? (
        <Link className="underline" href={first}>
          Back to the start
        </Link>
      ) : null}
      {next ? (
        <Link className="underline" href={next} rel="next">
          {label}
        </Link>
      ) : null}
    </nav>
  );
}
