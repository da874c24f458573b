import type { Metadata } from "next";
import { cookies } from "next/headers";
import { TimeZoneForm } from "@/components/preferences/time-zone-form";
import { timeZoneList } from "@/lib/time-zone";
import { TIME_ZONE_COOKIE } from "@/lib/time-zone-cookie";
import { requirePageUser } from "@/server/auth/session";
import { getDb } from "@/server/db";
import { resolveTimeZone, userTimeZoneSetting } from "@/server/preferences/viewer-time-zone";

export const metadata: Metadata = { title: "Your preferences · Settings" };

export default async function PreferencesPage() {
  const user = await requirePageUser();
  const setting = userTimeZoneSetting(getDb(), user.id);
  const cookie = (await cookies()).get(TIME_ZONE_COOKIE)?.value;
  const browserZone = cookie === undefined ? null : resolveTimeZone(null, cookie);
  return (
    <section className="max-w-2xl rounded-lg border border-slate-200 bg-white p-4">
      <h2 className="mb-1 font-semibold">Your preferences</h2>
      <p className="mb-4 text-sm text-slate-600">
        For you only ({user.name}); nobody else&apos;s pages change.
      </p>
      <TimeZoneForm zones={timeZoneList()} setting={setting} browserZone={browserZone} />
    </section>
  );
}
