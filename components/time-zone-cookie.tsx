"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { TIME_ZONE_COOKIE } from "@/lib/time-zone-cookie";
import { isTimeZone } from "@/lib/time-zone";

/**
 * Tells the server the browser's zone (a cookie), so people without a zone setting see
 * server-rendered times in their own; re-renders once when the zone shown was not theirs.
 */
export function TimeZoneCookie({
  current,
  followsBrowser,
}: {
  /** The zone the cookie holds now, if any. */
  current: string | null;
  /** Whether this person's pages show the browser's zone (no setting of their own). */
  followsBrowser: boolean;
}) {
  const router = useRouter();
  useEffect(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!isTimeZone(zone) || zone === current) return;
    const secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = `${TIME_ZONE_COOKIE}=${encodeURIComponent(zone)}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`;
    // Without a cookie the server showed UTC: a browser in UTC has nothing to re-render.
    if (followsBrowser && zone !== (current ?? "UTC")) router.refresh();
  }, [current, followsBrowser, router]);
  return null;
}
