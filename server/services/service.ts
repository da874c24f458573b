import "server-only";
import type { z } from "zod";
import { formatPath } from "@/lib/format-path";
import type { ActionIssue, BlockingJob } from "@/lib/action-result";
import { hasRole, type Role } from "@/lib/roles";
import { auditedCommitter, type Committer } from "@/server/audit/commit";
import { recordAudit, type AuditActor, type RequestMeta } from "@/server/audit/write";
import type { Db } from "@/server/db";

/**
 * Who is doing something. A signed-in user acts with their role; the CLI (run by
 * someone with shell access to the data directory) and the system (the scheduler,
 * a job acting for whoever queued it) act as admin; an integration (a bearer token
 * from the config) may call only services that accept integrations.
 */
export type Actor =
  | { kind: "user"; id: number; email: string; role: Role }
  | { kind: "cli" }
  | { kind: "system"; name: string; onBehalfOf?: { id: number | null; name: string } }
  | { kind: "integration"; name: string; scope?: IntegrationScope };

/** What an integration's token may touch; an empty list allows every one. */
export type IntegrationScope = { services: string[]; environments: string[] };

export function auditActor(actor: Actor): AuditActor {
  switch (actor.kind) {
    case "user":
      return { id: actor.id, name: actor.email, role: actor.role };
    case "cli":
      return { id: null, name: "cli", role: null };
    case "system":
      return actor.onBehalfOf
        ? { id: actor.onBehalfOf.id, name: actor.onBehalfOf.name, role: null }
        : { id: null, name: actor.name, role: null };
    case "integration":
      return { id: null, name: actor.name, role: null };
  }
}

/** The rights an actor has, as a role (integrations have none of a user's). */
export function actorRole(actor: Actor): Role | null {
  if (actor.kind === "user") return actor.role;
  if (actor.kind === "integration") return null;
  return "admin";
}

/** Who requested a job or owns a change, as the jobs table records it. */
export function requesterOf(actor: Actor): { id: number | null; name: string } {
  const a = auditActor(actor);
  return { id: a.id, name: a.name };
}

export const NO_REQUEST: RequestMeta = { ip: null, userAgent: null, requestId: null };

/** What every caller of a service passes: who, from where, and which database. */
export type ServiceCall = { actor: Actor; db: Db; meta?: RequestMeta };

export type ServiceContext = {
  actor: Actor;
  db: Db;
  meta: RequestMeta;
  /** The requester as the jobs table records it. */
  requester: { id: number | null; name: string };
  /** The change and its audit row in one IMMEDIATE transaction; called exactly once. */
  commit: Committer["commit"];
};

/** An expected refusal (bad input, forbidden, not found, conflict, too many): shown to the caller as-is. */
export class ServiceError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 413 | 422 | 429,
    message: string,
    readonly issues?: ActionIssue[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ServiceError";
  }
}

/** A 409 because another job holds the lock the request needs; names that job so the caller can follow it. */
export class JobConflictError extends ServiceError {
  constructor(
    message: string,
    readonly job: BlockingJob,
  ) {
    super(409, message);
    this.name = "JobConflictError";
  }
}

export function zodIssues(error: z.ZodError): ActionIssue[] {
  return error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
}

const COMMITTED = Symbol.for("opsdeck.service.committed");

/** Whether a service that failed unexpectedly had already stored its change. */
export function failedAfterCommit(err: unknown): boolean {
  return (
    typeof err === "object" && err !== null && (err as Record<symbol, unknown>)[COMMITTED] === true
  );
}

export type ServiceMeta = { name: string; role: Role; integrations: boolean };
export const SERVICE_BRAND = Symbol.for("opsdeck.service");
export type Service<I, T> = ((call: ServiceCall, input: I) => Promise<T>) & {
  [SERVICE_BRAND]: ServiceMeta;
};

export function isService(value: unknown): value is Service<unknown, unknown> {
  return typeof value === "function" && SERVICE_BRAND in value;
}

/**
 * The one way to write a verb. Knows nothing of HTTP: server actions, route
 * handlers, the CLI and jobs are adapters that pass the actor. Checks the actor's
 * rights (403, audited as denied), parses the input with zod (400 with every
 * issue, nothing stored), then runs; the change and its audit row share one
 * transaction (`ctx.commit`), and a verb that never commits is an error.
 */
export function defineService<S extends z.ZodType, T>(def: {
  /** The audit action, e.g. "backups.run". */
  name: string;
  /** The least role a user needs; the CLI and the system act as admin. */
  role: Role;
  /** Whether an integration token may call it (CI reporting a deploy). */
  integrations?: boolean;
  input: S;
  run: (ctx: ServiceContext, input: z.output<S>) => Promise<T> | T;
}): Service<z.input<S>, T> {
  const service = async (call: ServiceCall, raw: z.input<S>): Promise<T> => {
    const meta = call.meta ?? NO_REQUEST;
    const actor = auditActor(call.actor);
    const role = actorRole(call.actor);
    const allowed =
      call.actor.kind === "integration" ? !!def.integrations : !!role && hasRole(role, def.role);
    if (!allowed) {
      recordAudit(call.db, actor, meta, {
        action: def.name,
        outcome: "denied",
        details: { required: call.actor.kind === "integration" ? "a user" : def.role },
      });
      throw new ServiceError(
        403,
        call.actor.kind === "integration"
          ? "An integration token cannot do this."
          : `This needs the ${def.role} role; you are ${role ?? "not signed in"}.`,
      );
    }
    const parsed = def.input.safeParse(raw);
    if (!parsed.success) {
      const issues = zodIssues(parsed.error);
      throw new ServiceError(400, issues[0]?.message ?? "Invalid input.", issues);
    }
    const committer = auditedCommitter(call.db, actor, meta, def.name);
    try {
      const data = await def.run(
        {
          actor: call.actor,
          db: call.db,
          meta,
          requester: requesterOf(call.actor),
          commit: committer.commit,
        },
        parsed.data,
      );
      if (!committer.committed)
        throw new Error(`${def.name} finished without recording its audit entry`);
      return data;
    } catch (err) {
      if (err instanceof Error && !(err instanceof ServiceError))
        Object.assign(err, { [COMMITTED]: committer.committed });
      throw err;
    }
  };
  return Object.assign(service, {
    [SERVICE_BRAND]: { name: def.name, role: def.role, integrations: !!def.integrations },
  });
}
