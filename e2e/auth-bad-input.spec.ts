import { expect, request as requests, test, type APIRequestContext } from "@playwright/test";
import { callAction, serverActions } from "./actions";
import { BASE_URL, storageState } from "./stack";

// Requests that made the built server answer 500 (and log and report an error):
// each is the client's mistake and gets a 4xx that says so.

const contexts: APIRequestContext[] = [];
async function client(role?: "viewer" | "admin") {
  const ctx = await requests.newContext({
    baseURL: BASE_URL,
    storageState: role ? storageState(role) : undefined,
  });
  contexts.push(ctx);
  return ctx;
}
test.afterAll(async () => {
  for (const ctx of contexts) await ctx.dispose();
});

test("a path with a bad %-escape is 400", async () => {
  const anonymous = await client();
  for (const path of ["/%ff", "/uptime/%ff", "/%e2%82"]) {
    const res = await anonymous.get(path, { maxRedirects: 0 });
    expect(res.status(), path).toBe(400);
    expect(await res.text()).toContain("invalid %-escape");
  }
});

test("a sign-in link with callbackUrl twice, or a newline in it, is 400", async () => {
  for (const ctx of [await client(), await client("viewer")]) {
    for (const query of [
      "callbackUrl=/a&callbackUrl=/b",
      "callbackUrl=/%0a/x",
      "error=a&error=b",
    ]) {
      const res = await ctx.get(`/login?${query}`, { maxRedirects: 0 });
      expect(res.status(), query).toBe(400);
      expect(await res.text()).toContain("This sign-in link is not valid");
    }
  }
});

test("a malformed or oversized server action body is 400 or 413", async () => {
  const action = serverActions().find((a) => a.name === "createCalendarToken")!;
  for (const ctx of [await client(), await client("viewer")]) {
    const post = (data: string | Buffer) =>
      ctx.post("/", {
        headers: {
          "next-action": action.id,
          "content-type": "text/plain;charset=UTF-8",
          accept: "text/x-component",
          origin: BASE_URL,
        },
        data,
        maxRedirects: 0,
      });
    for (const body of ['[{"x', "{}", "not json"]) {
      const res = await post(body);
      expect(res.status(), body).toBe(400);
    }
    expect((await post(Buffer.alloc(1024 * 1024 + 10, "a"))).status()).toBe(413);
  }
  // A well-formed call still works (and is refused by validation, not by the proxy).
  const viewer = await client("viewer");
  const call = await callAction(viewer, action.id, [{ unexpected: true }]);
  expect(call.result).toMatchObject({ ok: false, status: 400 });
});

test("a malformed Next-Router-State-Tree header is 400", async () => {
  for (const ctx of [await client(), await client("viewer")]) {
    for (const tree of ["%%%garbage", "notjson", encodeURIComponent("[1,2]")]) {
      // Next first redirects an RSC request to add its cache-busting ?_rsc= (as a
      // browser's request has already); the request that follows is the one judged.
      const res = await ctx.get("/uptime", {
        headers: { RSC: "1", "Next-Router-State-Tree": tree },
      });
      expect(res.status(), tree).toBe(400);
      expect(await res.text()).toBe("Bad request: the Next-Router-State-Tree header is not valid.");
    }
  }
});

test("a form posted to a page from another site is refused with 403 and changes nothing", async () => {
  const admin = await client("admin");
  const create = serverActions().find((a) => a.name === "createUser")!;
  // A plain HTML form: no Next-Action header, the action id in the body.
  const res = await admin.post("/settings/users", {
    headers: { origin: "https://evil.example" },
    multipart: {
      [`$ACTION_ID_${create.id}`]: "",
      email: "csrf-form@e2e.test",
      name: "Csrf",
      role: "admin",
      password: "planted-password-123",
    },
    maxRedirects: 0,
  });
  expect(res.status()).toBe(403);
  expect(await res.text()).toBe("Cross-site request refused.");
  expect(await (await admin.get("/settings/users")).text()).not.toContain("csrf-form@e2e.test");
});
