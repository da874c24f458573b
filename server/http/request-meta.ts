import "server-only";
import { headers } from "next/headers";
import type { RequestMeta } from "@/server/audit/write";

/** Set by the HTTP server from the socket (or trusted proxy hops); never taken from the client. */
export const CLIENT_IP_HEADER = "x-opsdeck-client-ip";
export const REQUEST_ID_HEADER = "x-request-id";

export function metaFromHeaders(h: Pick<Headers, "get">): RequestMeta {
  return {
    ip: h.get(CLIENT_IP_HEADER),
    userAgent: h.get("user-agent"),
    requestId: h.get(REQUEST_ID_HEADER),
  };
}

/** Who is asking, for the audit log and the logs, in a server component or action. */
export async function currentRequestMeta(): Promise<RequestMeta> {
  return metaFromHeaders(await headers());
}
