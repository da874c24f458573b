/** "Type production to confirm": the guard on destructive actions in a protected environment. */
export function EnvironmentConfirm({
  environmentName,
  value,
  onChange,
}: {
  environmentName: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <label className="block">
      Type <strong>{environmentName}</strong> to confirm
      <input
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-label="Environment name"
        autoComplete="off"
        className="mt-1 block w-full rounded border border-slate-300 px-2 py-1"
      />
    </label>
  );
}
