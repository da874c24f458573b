import "server-only";
import type { z } from "zod";
import type { ActionIssue, ActionResult } from "@/lib/action-result";
import type { Role } from "@/lib/roles";
import type { RequestMeta } from "@/server/audit/write";
import { getDb, type Db } from "@/server/db";
import { currentRequestMeta } from "@/server/http/request-meta";
import { logger } from "@/server/logger";
import { captureError } from "@/server/sentry";
import {
  defineService,
  failedAfterCommit,
  JobConflictError,
  ServiceError,
  SERVICE_BRAND,
  type Actor,
  type Service,
  type ServiceContext,
} from "@/server/services/service";
import { getSessionUser, type SessionUser } from "./session";

export { zodIssues } from "@/server/services/service";

/** An expected refusal (conflict, not found…): returned to the caller as-is. */
export class ActionError extends ServiceError {
  constructor(status: 400 | 404 | 409, message: string, issues?: ActionIssue[]) {
    super(status, message, issues);
  }
}

export type ActionContext = ServiceContext & { user: SessionUser; db: Db };

export type ActionMeta = { name: string; role: Role; service: string };
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

export function userActor(user: SessionUser): Actor {
  return { kind: "user", id: user.id, email: user.email, role: user.role };
}

type Status = Extract<ActionResult<unknown>, { ok: false }>["status"];

/**
 * A server action over a service: resolves the session (401 without one), calls
 * the service as that user, and turns its refusals into results the form shows.
 * Unexpected errors are logged and reported, and answered with a request id only.
 */
export function serverAction<I, T>(service: Service<I, T>): BrandedAction<I, T> {
  const meta = service[SERVICE_BRAND];
  const action = async (input: I): Promise<ActionResult<T>> => {
    const caller = await resolveCaller();
    if (!caller.user) return { ok: false, status: 401, error: "Sign in to do this." };
    const db = getDb();
    try {
      const data = await service({ actor: userActor(caller.user), db, meta: caller.meta }, input);
      return { ok: true, data };
    } catch (err) {
      if (err instanceof ServiceError) {
        return {
          ok: false,
          status: (err.status === 413 || err.status === 422 ? 400 : err.status) as Status,
          error: err.message,
          issues: err.issues,
          ...(err instanceof JobConflictError ? { job: err.job } : {}),
        };
      }
      const requestId = caller.meta.requestId;
      logger.error(
        {
          context: { requestId, userId: caller.user.id, endpoint: `action:${meta.name}` },
          error: err,
        },
        "action failed",
      );
      captureError(err, { action: meta.name, requestId });
      return {
        ok: false,
        status: 500,
        error: `Something went wrong${failedAfterCommit(err) ? "" : "; nothing was changed"}. Request id: ${requestId ?? "unknown"}.`,
      };
    }
  };
  return Object.assign(action, {
    [ACTION_BRAND]: { name: meta.name, role: meta.role, service: meta.name },
  });
}

/**
 * A server action whose verb is written inline. Prefer a service in
 * server/services/<area>/<verb>.ts wrapped by `serverAction`, so the CLI, route
 * handlers and jobs can call the same verb.
 */
export function authAction<S extends z.ZodType, T>(def: {
  name: string;
  role: Role;
  input: S;
  run: (ctx: ActionContext, input: z.output<S>) => Promise<T> | T;
}): BrandedAction<z.input<S>, T> {
  return serverAction(
    defineService({
      name: def.name,
      role: def.role,
      input: def.input,
      run: (ctx, input) => {
        const actor = ctx.actor as Extract<Actor, { kind: "user" }>;
        const user: SessionUser = {
          id: actor.id,
          email: actor.email,
          name: actor.email,
          role: actor.role,
        };
        return def.run({ ...ctx, user }, input);
      },
    }),
  );
}
