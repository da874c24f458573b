// GET /api/v1/alerts — the alerts of Prometheus's alerting rules (none here), for Grafana Alerting
import { promSuccess } from "@/server/tsdb/prom-api";
import { promRoute } from "@/server/tsdb/prom-route";
import { activeAlerts } from "@/server/tsdb/prom-status";

export const dynamic = "force-dynamic";

export const GET = promRoute("metrics.alerts", () => promSuccess(activeAlerts()));
