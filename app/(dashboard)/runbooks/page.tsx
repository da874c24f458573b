import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/page-header";
import { requirePageUser } from "@/server/auth/session";
import { runbook, runbookSlugs } from "@/server/queries/runbooks";

export const metadata: Metadata = { title: "Runbooks" };

export default async function RunbooksPage() {
  await requirePageUser();
  return (
    <>
      <PageHeader title="Runbooks" description="What to do when something goes wrong." />
      <ul className="space-y-2">
        {runbookSlugs().map((slug) => (
          <li key={slug}>
            <Link href={`/runbooks/${slug}`} className="underline">
              {runbook(slug)?.title}
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}
