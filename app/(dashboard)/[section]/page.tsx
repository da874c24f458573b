import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/page-header";
import { NAV } from "@/lib/nav";
import { requirePageUser } from "@/server/auth/session";

// Sections whose capability is not built yet. A built section has its own route,
// which Next.js prefers over this dynamic one.
function unbuilt(section: string) {
  return NAV.find((item) => !item.built && item.href === `/${section}`);
}

export async function generateMetadata({
  params,
}: {
  params: Promise<{ section: string }>;
}): Promise<Metadata> {
  return { title: unbuilt((await params).section)?.label ?? "Not found" };
}

export default async function NotBuiltYetPage({
  params,
}: {
  params: Promise<{ section: string }>;
}) {
  await requirePageUser();
  const item = unbuilt((await params).section);
  if (!item) notFound();
  return (
    <div className="max-w-2xl">
      <PageHeader title={item.label} />
      <div className="rounded-lg border border-dashed border-slate-300 bg-white p-6">
        <p className="font-medium" data-testid="not-built">
          This page is not built yet.
        </p>
        <p className="mt-2 text-sm text-slate-600">When it is, it will show: {item.summary}</p>
      </div>
    </div>
  );
}
