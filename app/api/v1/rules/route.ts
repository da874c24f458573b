// GET /api/v1/rules — Prometheus's rule groups (none: Opsdeck has no PromQL rule groups), for Grafana Alerting
import { promSuccess } from "@/server/tsdb/prom-api";
import { promRoute } from "@/server/tsdb/prom-route";
import { ruleGroups } from "@/server/tsdb/prom-status";

export const dynamic = "force-dynamic";

export const GET = promRoute("metrics.rules", (params) => promSuccess(ruleGroups(params)));
