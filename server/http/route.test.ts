import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { makeUser } from "@/test/callers";
import { freshDb } from "@/test/db";
import type { SessionUser } from "@/server/auth/session";
import type { Db } from "@/server/db";
import { auditLog, users } from "@/server/db/schema";
import { apiRoute } from "./route";

let caller: SessionUser | null = null;
vi.mock("@/server/auth/session", () => ({ getSessionUser: async () => caller }));

let db: Db;
beforeEach(() => {
  db = freshDb();
  caller = null;
});

const rename = apiRoute({
  name: "test.rename",
  auth: "operator",
  params: z.strictObject({ id: z.coerce.number().int().positive() }),
  body: z.strictObject({ name: z.string().min(1).max(40) }),
  maxBodyBytes: 1024,
  handler: ({ params, body, commit }) =>
    commit({ action: "test.rename", targetType: "user", targetId: params.id }, (tx) => {
      tx.update(users).set({ name: body.name }).where(eq(users.id, params.id)).run();
      return { ok: true };
    }),
});

const unaudited = apiRoute({
  name: "test.unaudited",
  auth: "viewer",
  handler: () => ({ ok: true }),
});
const scrape = apiRoute({
  name: "test.scrape",
  auth: { bearer: () => "s3cret-token-value", openWhenUnset: false, actor: "scraper" },
  handler: () => ({ scraped: true }),
});

const call = (handler: typeof rename, init: RequestInit & { id?: string } = {}) =>
  handler(
    new Request("http://opsdeck.test/api/x", {
      method: "POST",
      ...init,
      headers: {
        host: "opsdeck.test",
        origin: "http://opsdeck.test",
        "content-type": "application/json",
        ...init.headers,
      },
    }),
    { params: Promise.resolve({ id: init.id ?? "1" }) },
  );

async function body(res: Response) {
  return { status: res.status, ...(await res.json()) };
}

describe("apiRoute", () => {
  it("401 when not signed in", async () => {
    expect(await body(await call(rename, { body: '{"name":"x"}' }))).toMatchObject({
      status: 401,
      error: "Sign in first.",
    });
  });

  it("403 below the role, audited as denied", async () => {
    caller = await makeUser(db, "viewer");
    expect((await call(rename, { body: '{"name":"x"}' })).status).toBe(403);
    expect(db.select().from(auditLog).all()).toMatchObject([
      { action: "test.rename", outcome: "denied" },
    ]);
  });

  it("403 for a cross-site request carrying a valid session", async () => {
    caller = await makeUser(db, "operator");
    const res = await call(rename, {
      body: '{"name":"x"}',
      headers: { origin: "https://evil.example" },
    });
    expect(await body(res)).toMatchObject({ status: 403, error: "Cross-site request refused." });
    const noOrigin = await call(rename, { body: '{"name":"x"}', headers: { origin: "" } });
    expect(noOrigin.status).toBe(403);
  });

  it("415, 413 and 400 for the wrong body, and nothing changes", async () => {
    caller = await makeUser(db, "operator");
    expect(
      (
        await call(rename, {
          body: "name=x",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        })
      ).status,
    ).toBe(415);
    expect((await call(rename, { body: JSON.stringify({ name: "x".repeat(5000) }) })).status).toBe(
      413,
    );
    expect(await body(await call(rename, { body: "{not json" }))).toMatchObject({
      status: 400,
      error: "Request body is not valid JSON.",
    });
    expect(await body(await call(rename, { body: "" }))).toMatchObject({ status: 400 });
    expect(await body(await call(rename, { body: '{"name":""}' }))).toMatchObject({
      status: 400,
      issues: [{ path: "name", message: expect.any(String) }],
    });
    expect(await body(await call(rename, { body: '{"name":"x","role":"admin"}' }))).toMatchObject({
      status: 400,
    });
    expect(await body(await call(rename, { body: '{"name":"x"}', id: "../../etc" }))).toMatchObject(
      { status: 400 },
    );
    expect(db.select().from(users).get()!.name).toBe("Operator");
    expect(db.select().from(auditLog).all()).toHaveLength(0);
  });

  it("applies the change and writes its audit row", async () => {
    caller = await makeUser(db, "operator");
    const res = await call(rename, {
      body: '{"name":"Olga"}',
      id: String(caller.id),
      headers: { "x-request-id": "abc" },
    });
    expect(res.status).toBe(200);
    expect(db.select().from(users).get()!.name).toBe("Olga");
    expect(db.select().from(auditLog).all()).toMatchObject([
      { action: "test.rename", outcome: "success", requestId: "abc" },
    ]);
  });

  it("a mutation that writes no audit row is a 500, never a silent success", async () => {
    caller = await makeUser(db, "viewer");
    const res = await call(unaudited);
    expect(res.status).toBe(500);
    expect(JSON.stringify(await res.json())).not.toMatch(/stack|at /);
  });

  it("bearer routes compare the token and say how to authenticate", async () => {
    const none = await scrape(new Request("http://x/api/metrics"), { params: Promise.resolve({}) });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    const wrong = await scrape(
      new Request("http://x/api/metrics", { headers: { authorization: "Bearer nope" } }),
      { params: Promise.resolve({}) },
    );
    expect(wrong.status).toBe(401);
    const right = await scrape(
      new Request("http://x/api/metrics", {
        headers: { authorization: "Bearer s3cret-token-value" },
      }),
      {
        params: Promise.resolve({}),
      },
    );
    expect(right.status).toBe(200);
  });

  it("tells the handler whose token it was (actor and scope, never the token)", async () => {
    const seen: unknown[] = [];
    const route = apiRoute({
      name: "test.bearers",
      auth: {
        bearer: () => [
          {
            actor: "ci:github",
            token: "g".repeat(40),
            scope: { services: [], environments: ["staging"] },
          },
          { actor: "ci:gitlab", token: "l".repeat(40) },
        ],
        openWhenUnset: false,
        actor: "ci",
        session: "viewer",
      },
      handler: ({ bearer }) => {
        seen.push(bearer);
        return { ok: true };
      },
    });
    const get = (headers: Record<string, string>) =>
      route(new Request("http://x/api/ci", { headers }), { params: Promise.resolve({}) });
    expect((await get({ authorization: `Bearer ${"g".repeat(40)}` })).status).toBe(200);
    expect((await get({ authorization: `Bearer ${"l".repeat(40)}` })).status).toBe(200);
    caller = await makeUser(db, "viewer");
    expect((await get({})).status).toBe(200);
    expect(seen).toEqual([
      { actor: "ci:github", scope: { services: [], environments: ["staging"] } },
      { actor: "ci:gitlab", scope: undefined },
      null,
    ]);
  });
});
