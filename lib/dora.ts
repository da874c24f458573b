/**
 * The four DORA figures as dora.dev defines them, worked out per service and environment
 * over a window; each page that shows a figure shows its definition beside it.
 */
export const DORA_DEFINITIONS = {
  perWeek: {
    name: "Deployment frequency",
    definition:
      "How often a change reaches this environment: successful deployments of new changes per week. Rollbacks and redeploys bring back something already deployed, so they are not changes.",
  },
  leadTime: {
    name: "Lead time for changes",
    definition:
      "How long a change takes from commit to running here: the median time from the commit to the end of its successful deployment, over the changes whose commit time CI reported.",
  },
  changeFailureRate: {
    name: "Change failure rate",
    definition:
      "The share of deployments of changes that failed or had to be undone: those whose deployment failed, and those that a rollback replaced while they were live, out of all deployments of changes.",
  },
  recovery: {
    name: "Failed deployment recovery time",
    definition:
      "How long it takes to recover from a failed deployment: the median time from the failure (the failed deployment, or the moment the undone one went live) to the next deployment that left the service working: a rollback or redeploy verified healthy, or a successful deployment that was not itself undone.",
  },
  successRate: {
    name: "Success rate (target 95%)",
    definition:
      "Not a DORA figure: every deployment, rollback and redeploy that finished, and how many of them went live without being found unhealthy. A rollback that deployed but failed its health checks is a failure here.",
  },
} as const;
