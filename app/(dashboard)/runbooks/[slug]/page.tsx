import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/server/auth/session";
import { runbook } from "@/server/queries/runbooks";

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  await requirePageUser();
  const book = runbook((await params).slug);
  return { title: book ? `${book.title} · Runbooks` : "Not found" };
}

export default async function RunbookPage({ params }: Props) {
  await requirePageUser();
  const book = runbook((await params).slug);
  if (!book) notFound();
  return (
    <article className="max-w-3xl">
      <Link href="/runbooks" className="text-sm underline">
        All runbooks
      </Link>
      <div
        className="prose-runbook mt-4 rounded-lg border border-slate-200 bg-white p-6"
        // Rendered from docs/runbooks in this repository, not from user input.
        dangerouslySetInnerHTML={{ __html: book.html }}
      />
    </article>
  );
}
