import { deployResultTone, deployResultWord } from "@/lib/deploy-outcome";
import type { DeploymentView } from "@/lib/deploy-view";

const TONE = {
  good: "bg-green-100 text-green-800",
  warn: "bg-amber-100 text-amber-800",
  bad: "bg-red-100 text-red-800",
  neutral: "bg-slate-100 text-slate-700",
} as const;
const MARK = { good: "●", warn: "◆", bad: "▲", neutral: "" } as const;

/** A deployment's result in the one vocabulary of lib/deploy-outcome.ts. */
export function DeployResult({ d }: { d: Pick<DeploymentView, "source" | "status" | "outcome"> }) {
  const tone = deployResultTone(d);
  return (
    <span
      data-testid="deploy-result"
      className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ${TONE[tone]}`}
    >
      {MARK[tone] ? <span aria-hidden>{MARK[tone]}</span> : null}
      {deployResultWord(d)}
    </span>
  );
}
