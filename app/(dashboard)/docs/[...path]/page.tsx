import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { requirePageUser } from "@/server/auth/session";
import { renderDoc } from "@/server/queries/docs";

type Props = { params: Promise<{ path: string[] }> };

const docOf = async (params: Props["params"]) => (await params).path.join("/");

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  await requirePageUser();
  const doc = renderDoc(await docOf(params));
  return { title: doc ? `${doc.title} · Docs` : "Not found" };
}

/**
 * The project's documents outside the runbooks (the config reference, ADRs, guides),
 * so a runbook's links to them open in the app, for the same people, in the version
 * that runs (docs/ ships with the build; there is no other copy a self-hosted instance
 * can be sure to reach).
 */
export default async function DocPage({ params }: Props) {
  await requirePageUser();
  const doc = await docOf(params);
  if (doc.startsWith("runbooks/")) redirect(`/runbooks/${doc.slice("runbooks/".length)}`);
  const rendered = renderDoc(doc);
  if (!rendered) notFound();
  return (
    <article className="max-w-3xl">
      <p className="text-sm text-slate-500">
        <Link href="/runbooks" className="underline">
          Runbooks
        </Link>{" "}
        · documentation: <code>docs/{doc}.md</code>
      </p>
      <div
        className="prose-runbook mt-4 rounded-lg border border-slate-200 bg-white p-6"
        // Rendered from docs/ in this repository, not from user input.
        dangerouslySetInnerHTML={{ __html: rendered.html }}
      />
    </article>
  );
}
