import type { Metadata } from "next";
import Link from "next/link";
import { requirePageUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Not allowed" };

export default async function ForbiddenPage() {
  await requirePageUser();
  return (
    <div className="max-w-lg rounded-lg border border-slate-200 bg-white p-6">
      <h1 className="text-lg font-semibold">You do not have access to that page</h1>
      <p className="mt-2 text-sm text-slate-600">
        Your role does not allow it. Ask an admin if you need it.
      </p>
      <Link href="/" className="mt-4 inline-block text-sm underline">
        Back to the overview
      </Link>
    </div>
  );
}
