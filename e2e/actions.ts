import fs from "node:fs";
import path from "node:path";
import type { APIRequestContext } from "@playwright/test";
import { BASE_URL } from "./stack";

/** Server actions of the running build, from Next's manifest: id → file and export. */
export function serverActions(): { id: string; file: string; name: string }[] {
  const manifest = JSON.parse(
    fs.readFileSync(path.join(".next", "server", "server-reference-manifest.json"), "utf8"),
  ) as { node: Record<string, { filename: string; exportedName: string }> };
  return Object.entries(manifest.node).map(([id, a]) => ({
    id,
    file: a.filename,
    name: a.exportedName,
  }));
}

export type ActionCall = {
  httpStatus: number;
  result: { ok: boolean; status?: number; error?: string } | null;
  body: string;
};

/**
 * Calls a server action the way the browser does (POST with Next-Action), with the
 * caller's cookies, and pulls the action's return value out of the RSC response.
 */
export async function callAction(
  request: APIRequestContext,
  id: string,
  args: unknown[],
  headers: Record<string, string> = {},
): Promise<ActionCall> {
  const res = await request.post("/", {
    headers: {
      "next-action": id,
      "content-type": "text/plain;charset=UTF-8",
      accept: "text/x-component",
      origin: BASE_URL,
      ...headers,
    },
    data: JSON.stringify(args),
    maxRedirects: 0,
  });
  const body = await res.text();
  let result: ActionCall["result"] = null;
  for (const line of body.split("\n")) {
    const json = line.replace(/^[0-9a-f]+:/, "");
    if (!json.startsWith("{")) continue;
    try {
      const value = JSON.parse(json) as Record<string, unknown>;
      if (typeof value.ok === "boolean") result = value as ActionCall["result"];
    } catch {
      // Not a JSON row of the payload.
    }
  }
  return { httpStatus: res.status(), result, body };
}
