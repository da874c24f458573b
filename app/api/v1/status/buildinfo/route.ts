// GET /api/v1/status/buildinfo — which Prometheus API this is, for Grafana's health check and flavour detection
import { promSuccess } from "@/server/tsdb/prom-api";
import { promRoute } from "@/server/tsdb/prom-route";
import { buildInfo } from "@/server/tsdb/prom-status";

export const dynamic = "force-dynamic";

// Answered here even with a `prometheus` datasource: it describes the API Grafana talks to,
// and a Mimir's answer (its `features`) would announce a ruler API Opsdeck does not serve.
export const GET = promRoute("metrics.buildinfo", () => promSuccess(buildInfo()), {
  local: true,
});
