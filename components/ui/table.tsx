/** The console's data table: a header row of column names, rows as children, a message when empty. */
export function Table({
  columns,
  testId,
  empty,
  cards = false,
  children,
}: {
  columns: string[];
  testId?: string;
  /** Below the sm breakpoint each row becomes a card, each cell headed by its `data-label`. */
  cards?: boolean;
  /** Shown across the table when there are no rows. */
  empty?: string;
  children: React.ReactNode;
}) {
  return (
    // `relative` makes this scroller the containing block of absolutely placed descendants
    // (a visually hidden label in a cell): otherwise they escape the scroll and widen the page.
    <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className={`${cards ? "table-cards " : ""}w-full text-sm`} data-testid={testId}>
        <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col" className="px-3 py-2">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {empty ? (
            <tr>
              <td colSpan={columns.length} className="px-3 py-6 text-center text-slate-500">
                {empty}
              </td>
            </tr>
          ) : null}
          {children}
        </tbody>
      </table>
    </div>
  );
}
