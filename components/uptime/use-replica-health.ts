"use client";

import { useLiveView } from "@/components/live/live-state";
import {
  replicaViewKey,
  type ReplicaHealthView,
  type ReplicaSummaryView,
} from "@/lib/replica-health";

/** One page of a service and environment's replicas, live from the one poll. */
export function useReplicaHealth(initial: ReplicaHealthView): ReplicaHealthView {
  const { service, environment, page } = initial;
  return useLiveView(replicaViewKey({ kind: "replicas", service, environment, page }), initial);
}

/** The per service × environment replica counts, live from the one poll. */
export function useReplicaSummary(
  filter: { service: string; environment: string },
  initial: ReplicaSummaryView,
): ReplicaSummaryView {
  return useLiveView(replicaViewKey({ kind: "replica-summary", ...filter }), initial);
}
