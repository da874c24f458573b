import "server-only";
import type { Expr } from "@/lib/promql/ast";
import { parseExpr, PromQLParseError } from "@/lib/promql/parse";
import { APP_VERSION } from "@/lib/version";
import { parseTimeParam } from "./prom-api";
import { parseSelectors } from "./prom-metadata";
import { PromApiError } from "./prom-errors";

// The rest of Prometheus's read API that Grafana's Prometheus data source calls besides
// the query endpoints: build info (its health check and Grafana Alerting read it to tell
// Prometheus from Mimir), exemplars (probed when a data source loads), and the rule and
// alert lists (Grafana Alerting lists a data source's rules). Shapes and parameter checks
// follow prometheus/prometheus web/api/v1/api.go.

/**
 * The Prometheus release whose HTTP API and PromQL answers Opsdeck's are checked against
 * (Debian's 2.42 in server/tsdb/compat.test.ts), reported as /status/buildinfo's version:
 * clients gate features on a Prometheus version (Grafana's "labels API with match[]" needs
 * 2.24), and Opsdeck's own release number would mean nothing to them.
 */
export const PROMETHEUS_API_VERSION = "2.42.0";

/**
 * GET /api/v1/status/buildinfo. No `features` object: that is how Grafana tells Prometheus
 * (no ruler API) from Mimir (ruler API, which Opsdeck does not have). `application` is what
 * Mimir adds to say what it is; the other fields are Prometheus's, empty where they
 * describe a Go build.
 */
export function buildInfo() {
  return {
    application: "Opsdeck",
    version: PROMETHEUS_API_VERSION,
    revision: `opsdeck-${APP_VERSION}`,
    branch: "",
    buildUser: "",
    buildDate: "",
    goVersion: "",
  };
}

/**
 * GET|POST /api/v1/query_exemplars. Opsdeck keeps no exemplars (scrapes and pushes drop
 * them), so a query with a selector finds none — Prometheus's own answer with exemplar
 * storage off — and one without any selector has no answer at all (Prometheus: 204).
 * Parameters are checked as Prometheus checks them, in its order.
 */
export function queryExemplars(params: URLSearchParams): [] | null {
  const start = parseTimeParam(params.get("start"), "start", Number.MIN_SAFE_INTEGER);
  const end = parseTimeParam(params.get("end"), "end", Number.MAX_SAFE_INTEGER);
  if (end < start)
    throw new PromApiError("bad_data", "end timestamp must not be before start timestamp");
  let expr: Expr;
  try {
    // Only parsed: nothing is evaluated, so a function the evaluator lacks is no error here.
    expr = parseExpr(params.get("query") ?? "");
  } catch (err) {
    if (err instanceof PromQLParseError) throw new PromApiError("bad_data", err.message);
    throw err;
  }
  return hasSelector(expr) ? [] : null;
}

function hasSelector(e: Expr): boolean {
  switch (e.kind) {
    case "vectorSelector":
    case "matrixSelector":
      return true;
    case "call":
      return e.args.some(hasSelector);
    case "aggregate":
      return hasSelector(e.expr) || (e.param !== undefined && hasSelector(e.param));
    case "binary":
      return hasSelector(e.lhs) || hasSelector(e.rhs);
    case "unary":
    case "paren":
    case "subquery":
      return hasSelector(e.expr);
    default:
      return false;
  }
}

const INT32_MAX = 2 ** 31 - 1;

/**
 * GET /api/v1/rules: Prometheus's recording and alerting rule groups. Opsdeck has none
 * (its alert rules are its own, evaluated by its alert engine, not PromQL rule groups), so
 * the list is empty; every filter and the paging parameters are still checked as Prometheus
 * checks them, so a wrong request is a 400 and not an empty success.
 */
export function ruleGroups(params: URLSearchParams): { groups: never[] } {
  parseSelectors(params.getAll("match[]"), "");
  const type = (params.get("type") ?? "").toLowerCase();
  if (type !== "" && type !== "alert" && type !== "record")
    throw invalidParam("type", `not supported value ${JSON.stringify(type)}`);
  const excludeAlerts = (params.get("exclude_alerts") ?? "").toLowerCase();
  if (excludeAlerts !== "" && !["1", "t", "true", "0", "f", "false"].includes(excludeAlerts))
    throw invalidParam(
      "exclude_alerts",
      `error converting exclude_alerts: strconv.ParseBool: parsing ${JSON.stringify(excludeAlerts)}: invalid syntax`,
    );
  const limitText = params.get("group_limit") ?? "";
  const nextToken = params.get("group_next_token") ?? "";
  if (nextToken !== "" && limitText === "")
    throw invalidParam(
      "group_next_token",
      "group_limit needs to be present in order to paginate over the groups",
    );
  if (limitText !== "") {
    const limit = parseInt32(limitText);
    if (limit <= 0) throw invalidParam("group_limit", "group_limit needs to be greater than 0");
    // No group has a token, so whatever token is given names no group.
    if (nextToken !== "")
      throw invalidParam(
        "group_next_token",
        `invalid group_next_token '${nextToken}'. were rule groups changed?`,
      );
  }
  return { groups: [] };
}

/** strconv.ParseInt(s, 10, 32), with its error text. */
function parseInt32(text: string): number {
  const syntax = `strconv.ParseInt: parsing ${JSON.stringify(text)}`;
  if (!/^[+-]?\d+$/.test(text))
    throw invalidParam(
      "group_limit",
      `group_limit needs to be a valid number: ${syntax}: invalid syntax`,
    );
  const n = Number(text);
  if (n > INT32_MAX || n < -INT32_MAX - 1)
    throw invalidParam(
      "group_limit",
      `group_limit needs to be a valid number: ${syntax}: value out of range`,
    );
  return n;
}

/** GET /api/v1/alerts: the alerts of Prometheus's alerting rules, of which Opsdeck has none. */
export function activeAlerts(): { alerts: never[] } {
  return { alerts: [] };
}

function invalidParam(name: string, message: string): PromApiError {
  return new PromApiError("bad_data", `invalid parameter "${name}": ${message}`);
}
