import type { Metadata } from "next";
import Link from "next/link";

// Every notFound() below the root lands here: an unknown URL, or a monitor, alert, job or
// deployment that does not exist (or was removed from the config). It names nothing.
export const metadata: Metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <main className="mx-auto max-w-xl space-y-3 px-4 py-16">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="text-slate-600">
        There is nothing here: the address is wrong, or what it named no longer exists (a monitor
        removed from the config, an alert or job that was deleted).
      </p>
      <p>
        <Link href="/" className="font-medium underline">
          Go to the Overview
        </Link>
      </p>
    </main>
  );
}
