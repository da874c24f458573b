/** A unified diff of the config file, added lines green and removed ones red. */
export function ConfigDiff({ diff }: { diff: string }) {
  const lines = diff.replace(/\n$/, "").split("\n");
  return (
    <pre
      data-testid="config-diff"
      aria-label="Changes to the config file"
      className="max-h-[32rem] overflow-auto rounded border border-slate-200 bg-slate-50 py-2 font-mono text-xs"
    >
      {lines.map((line, i) => {
        const tone =
          line.startsWith("+++") || line.startsWith("---")
            ? "text-slate-500"
            : line.startsWith("+")
              ? "bg-green-50 text-green-900"
              : line.startsWith("-")
                ? "bg-red-50 text-red-900"
                : line.startsWith("@@")
                  ? "text-sky-800"
                  : "text-slate-700";
        return (
          <div key={i} className={`px-3 whitespace-pre ${tone}`}>
            {line || " "}
          </div>
        );
      })}
    </pre>
  );
}
