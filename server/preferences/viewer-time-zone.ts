import "server-only";
import { eq } from "drizzle-orm";
import { cookies } from "next/headers";
import { isTimeZone } from "@/lib/time-zone";
import { TIME_ZONE_COOKIE } from "@/lib/time-zone-cookie";
import type { SessionUser } from "@/server/auth/session";
import { getDb, type Db } from "@/server/db";
import { users } from "@/server/db/schema";

/** The zone a person reads times in: their own setting, else what their browser reported, else UTC. */
export function resolveTimeZone(setting: string | null | undefined, cookie: string | undefined) {
  if (isTimeZone(setting)) return setting;
  if (cookie !== undefined) {
    let value = cookie;
    try {
      value = decodeURIComponent(cookie);
    } catch {
      return "UTC";
    }
    if (isTimeZone(value)) return value;
  }
  return "UTC";
}

/** A user's own zone setting; null means "my browser's". */
export function userTimeZoneSetting(db: Db, userId: number): string | null {
  return (
    db.select({ timeZone: users.timeZone }).from(users).where(eq(users.id, userId)).get()
      ?.timeZone ?? null
  );
}

/** For pages, after their role check: the zone every time on the page is shown in. */
export async function viewerTimeZone(user: SessionUser): Promise<string> {
  const cookie = (await cookies()).get(TIME_ZONE_COOKIE)?.value;
  return resolveTimeZone(userTimeZoneSetting(getDb(), user.id), cookie);
}
