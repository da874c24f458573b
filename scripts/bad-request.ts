// Requests Next itself would answer with a 500 (it throws on them) that are the
// client's mistake: the HTTP server answers them 400 before Next sees them. The proxy
// cannot: Next hides the router state header from it.
import type http from "node:http";
import { createRequire } from "node:module";
import { decodablePath } from "../lib/request-checks";

type Parse = (header: string | string[] | undefined) => unknown;
let parseRouterState: Parse | undefined;

/** Next's own parser for the header, so the judgement is exactly Next's. */
function routerStateParser(): Parse {
  parseRouterState ??= (
    createRequire(import.meta.url)(
      "next/dist/server/app-render/parse-and-validate-flight-router-state",
    ) as { parseAndValidateFlightRouterState: Parse }
  ).parseAndValidateFlightRouterState;
  return parseRouterState;
}

/** Why Next cannot take this request, or null when it can. */
export function unparseableRequest(
  req: Pick<http.IncomingMessage, "url" | "headers">,
): string | null {
  if (!decodablePath(req.url ?? "/")) return "the path has an invalid %-escape.";
  const tree = req.headers["next-router-state-tree"];
  if (tree !== undefined) {
    try {
      routerStateParser()(tree);
    } catch {
      return "the Next-Router-State-Tree header is not valid.";
    }
  }
  return null;
}
