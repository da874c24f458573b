import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ConfigEntryForm } from "@/components/config/config-entry-form";
import { PageHeader } from "@/components/page-header";
import { requirePageUser } from "@/server/auth/session";
import { getConfig } from "@/server/config";
import { configEntryForm, isEditableSection } from "@/server/queries/config-entry";

export const metadata: Metadata = { title: "Edit config" };

type Props = {
  params: Promise<{ section: string }>;
  searchParams: Promise<{ id?: string }>;
};

/** Where each section's entries are shown, after a save and after a removal. */
const AFTER = {
  monitors: { saved: "/uptime/{id}", removed: "/uptime" },
  rules: { saved: "/alerts/rules/{id}", removed: "/alerts" },
  channels: { saved: "/alerts/channels/{id}", removed: "/alerts" },
  schedules: { saved: "/oncall", removed: "/oncall" },
} as const;

export default async function ConfigEntryPage({ params, searchParams }: Props) {
  const user = await requirePageUser("admin");
  const { section } = await params;
  if (!isEditableSection(section)) notFound();
  const { id } = await searchParams;
  const form = configEntryForm(user, section, typeof id === "string" ? id : undefined);
  if (!form) notFound();
  const { config } = getConfig();
  const title = form.id ? `Edit ${form.label} ${form.id}` : `Add ${form.label}`;
  return (
    <>
      <PageHeader
        title={title}
        description={`Changes ${form.listPath} in ${form.fileName}, the source of truth: previewed as a diff, validated as a reload would, then saved and reloaded.`}
        actions={
          <Link
            href={
              section === "monitors"
                ? form.id
                  ? `/uptime/${form.id}`
                  : "/uptime"
                : AFTER[section].removed
            }
            className="text-sm text-sky-700 hover:underline"
          >
            Cancel
          </Link>
        }
      />
      <ConfigEntryForm
        {...form}
        services={config.services.map((s) => ({ id: s.id, name: s.name }))}
        environments={config.environments.map((e) => ({ id: e.id, name: e.name }))}
        after={AFTER[section]}
      />
    </>
  );
}
