import { beforeEach, describe, expect, it, vi } from "vitest";
import { decode, encode } from "next-auth/jwt";
import { makeUser, testMeta } from "@/test/callers";
import { freshDb } from "@/test/db";
import type { Db } from "@/server/db";
import { auditLog } from "@/server/db/schema";
import { signInWithPassword } from "./credentials";
import { getAuthOptions } from "./options";
import { userFromClaims } from "./session";

vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "x-opsdeck-client-ip": "192.0.2.10" }),
}));

let db: Db;
beforeEach(async () => {
  db = freshDb();
  await makeUser(db, "operator", "olga@example.com");
});

/** Signs in as next-auth would and returns the session cookie it would set. */
async function signInCookie(): Promise<string> {
  const options = getAuthOptions();
  const user = await signInWithPassword(
    db,
    { email: "olga@example.com", password: "correct-horse-battery" },
    testMeta,
  );
  const token = await options.callbacks!.jwt!({
    token: { name: user.name, email: user.email, sub: user.id },
    user,
    account: null,
  } as never);
  return encode({ token, secret: options.secret!, maxAge: options.session!.maxAge });
}

/** Who a request with this cookie is, the way getSessionUser reads it via getServerSession. */
async function whoIs(cookie: string) {
  const options = getAuthOptions();
  const token = await decode({ token: cookie, secret: options.secret! });
  try {
    const refreshed = await options.callbacks!.jwt!({ token: token! } as never);
    const session = await options.callbacks!.session!({
      session: { expires: "" },
      token: refreshed,
    } as never);
    return userFromClaims(session.user);
  } catch {
    return null; // next-auth answers an empty session when the jwt callback throws
  }
}

async function signOut(cookie: string) {
  const options = getAuthOptions();
  const token = await decode({ token: cookie, secret: options.secret! });
  await options.events!.signOut!({ token: token!, session: undefined as never });
}

describe("sign-out", () => {
  it("ends the session on the server: the same cookie replayed afterwards is nobody", async () => {
    const cookie = await signInCookie();
    expect((await whoIs(cookie))?.email).toBe("olga@example.com");
    await signOut(cookie);
    expect(await whoIs(cookie)).toBeNull();
    expect(
      db
        .select()
        .from(auditLog)
        .all()
        .map((r) => r.action),
    ).toContain("auth.logout");
  });

  it("ends only that session: the user's other browser stays signed in", async () => {
    const laptop = await signInCookie();
    const phone = await signInCookie();
    await signOut(laptop);
    expect(await whoIs(laptop)).toBeNull();
    expect((await whoIs(phone))?.email).toBe("olga@example.com");
    // Even read without next-auth's callbacks in front, the claims of the signed-out one are refused.
    const claims = await decode({ token: laptop, secret: getAuthOptions().secret! });
    expect(userFromClaims({ id: claims!.uid, sv: claims!.sv, sid: claims!.sid })).toBeNull();
  });

  it("next-auth's own session endpoint refuses to renew a signed-out session", async () => {
    const cookie = await signInCookie();
    await signOut(cookie);
    const token = await decode({ token: cookie, secret: getAuthOptions().secret! });
    await expect(getAuthOptions().callbacks!.jwt!({ token: token! } as never)).rejects.toThrow();
  });

  it("a token from before sessions had ids is not accepted", async () => {
    const options = getAuthOptions();
    const legacy = await encode({
      token: { uid: 1, sv: 1, name: "Operator", email: "olga@example.com" },
      secret: options.secret!,
    });
    expect(await whoIs(legacy)).toBeNull();
  });
});
