import "server-only";
import type { z } from "zod";
import { formatPath } from "@/lib/format-path";
import type { ActionIssue, ActionResult } from "@/lib/action-result";
import { hasRole, type Role } from "@/lib/roles";
import { auditedCommitter, type Committer } from "@/server/audit/commit";
import { recordAudit, type RequestMeta } from "@/server/audit/write";
import { getDb, type Db } from "@/server/db";
import { currentRequestMeta } from "@/server/http/request-meta";
import { logger } from "@/server/logger";
import { captureError } from "@/server/sentry";
import { getSessionUser, type SessionUser } from "./session";

/** An expected refusal (conflict, not found…): returned to the caller as-is. */
export class ActionError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
    readonly issues?: ActionIssue[],
  ) {
    super(message);
  }
}

export type ActionContext = {
  user: SessionUser;
  meta: RequestMeta;
  db: Db;
  commit: Committer["commit"];
};

export type ActionMeta = { name: string; role: Role };
export const ACTION_BRAND = Symbol.for("opsdeck.action");
export type BrandedAction<I, T> = ((input: I) => Promise<ActionResult<T>>) & {
  [ACTION_BRAND]: ActionMeta;
};

/** Resolves who is calling; swapped in tests. */
export type Caller = { user: SessionUser | null; meta: RequestMeta };
let resolveCaller = async (): Promise<Caller> => ({
  user: await getSessionUser(),
  meta: await currentRequestMeta(),
});
export function setCallerResolver(fn: () => Promise<Caller>): void {
  resolveCaller = fn;
}

export function zodIssues(error: z.ZodError): ActionIssue[] {
  return error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
}

/**
 * The one way to write a mutation. Checks the session (401), the role (403, and
 * audited as denied), parses the input with zod (400 with every issue), then
 * runs the action, whose change and audit row share a transaction (`ctx.commit`).
 * Unexpected errors are logged and reported, and answered with a request id only.
 */
export function authAction<S extends z.ZodType, T>(def: {
  name: string;
  role: Role;
  input: S;
  run: (ctx: ActionContext, input: z.output<S>) => Promise<T> | T;
}): BrandedAction<z.input<S>, T> {
  const action = async (raw: z.input<S>): Promise<ActionResult<T>> => {
    const { user, meta } = await resolveCaller();
    if (!user) return { ok: false, status: 401, error: "Sign in to do this." };
    const db = getDb();
    const actor = { id: user.id, name: user.email, role: user.role };
    if (!hasRole(user.role, def.role)) {
      recordAudit(db, actor, meta, {
        action: def.name,
        outcome: "denied",
        details: { required: def.role },
      });
      return {
        ok: false,
        status: 403,
        error: `This needs the ${def.role} role; you are ${user.role}.`,
      };
    }
    const parsed = def.input.safeParse(raw);
    if (!parsed.success) {
      const issues = zodIssues(parsed.error);
      return { ok: false, status: 400, error: issues[0]?.message ?? "Invalid input.", issues };
    }

    const committer = auditedCommitter(db, actor, meta, def.name);
    const ctx: ActionContext = { user, meta, db, commit: committer.commit };

    try {
      const data = await def.run(ctx, parsed.data);
      if (!committer.committed)
        throw new Error(`${def.name} finished without recording its audit entry`);
      return { ok: true, data };
    } catch (err) {
      if (err instanceof ActionError) {
        return { ok: false, status: err.status, error: err.message, issues: err.issues };
      }
      logger.error(
        {
          context: { requestId: meta.requestId, userId: user.id, endpoint: `action:${def.name}` },
          error: err,
        },
        "action failed",
      );
      captureError(err, { action: def.name, requestId: meta.requestId });
      return {
        ok: false,
        status: 500,
        error: `Something went wrong${committer.committed ? "" : "; nothing was changed"}. Request id: ${meta.requestId ?? "unknown"}.`,
      };
    }
  };
  return Object.assign(action, { [ACTION_BRAND]: { name: def.name, role: def.role } });
}
