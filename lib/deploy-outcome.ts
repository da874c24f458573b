/**
 * What a rollback or redeploy made by Opsdeck really did, in one vocabulary: the
 * deployments list, the deployment page, the job, the audit row, the alert and every
 * notification use these words and no others.
 */
export const DEPLOY_OUTCOMES = [
  "healthy",
  "unhealthy",
  "unverified",
  "failed",
  "interrupted",
] as const;
export type DeployOutcome = (typeof DEPLOY_OUTCOMES)[number];

export const OUTCOME_WORDS: Record<DeployOutcome, string> = {
  healthy: "verified healthy",
  unhealthy: "deployed, but unhealthy",
  unverified: "deployed, but not verified",
  failed: "failed",
  interrupted: "interrupted",
};

/** Green, amber or red: only "verified healthy" is good news. */
export const OUTCOME_TONE: Record<DeployOutcome, "good" | "warn" | "bad"> = {
  healthy: "good",
  unverified: "warn",
  unhealthy: "bad",
  failed: "bad",
  interrupted: "bad",
};

type Record_ = {
  source: "ci" | "platform" | "opsdeck";
  status: "started" | "succeeded" | "failed" | "unknown";
  outcome: DeployOutcome | null;
};

/**
 * The word for a deployment record's result. Opsdeck's own rollbacks and redeploys say
 * their outcome (and "deploying" / "verifying health" until there is one); records from
 * CI or the platform say what those reported.
 */
export function deployResultWord(d: Record_): string {
  if (d.outcome) return OUTCOME_WORDS[d.outcome];
  if (d.source === "opsdeck") {
    if (d.status === "started") return "deploying";
    if (d.status === "succeeded") return "verifying health";
    if (d.status === "failed") return OUTCOME_WORDS.failed;
    return OUTCOME_WORDS.interrupted;
  }
  return d.status === "started" ? "in progress" : d.status;
}

export function deployResultTone(d: Record_): "good" | "warn" | "bad" | "neutral" {
  if (d.outcome) return OUTCOME_TONE[d.outcome];
  if (d.status === "failed") return "bad";
  if (d.source === "opsdeck") return d.status === "unknown" ? "bad" : "neutral";
  return d.status === "succeeded" ? "good" : "neutral";
}
