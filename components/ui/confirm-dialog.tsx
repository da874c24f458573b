"use client";

import Link from "next/link";
import { useEffect, useRef, useState, useTransition, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import type { BlockingJob } from "@/lib/action-result";

export type ConfirmRefusal = { error: string; job?: BlockingJob };

const TONES = {
  danger: "border-red-300 bg-red-50",
  warning: "border-amber-300 bg-amber-50",
  neutral: "border-slate-300 bg-white shadow",
} as const;

/**
 * The one confirmation for actions that change something that matters (restore,
 * rollback, redeploy, resolve, cancel): a button that opens a panel saying what will
 * happen, with the environment's name to type when it is protected, a pending state
 * while the action runs, and the refusal shown in place (with a link to the job that
 * stands in the way, when there is one). `onConfirm` resolves to nothing on success
 * (the panel closes) or to the refusal to show.
 */
export function ConfirmDialog({
  trigger,
  title,
  children,
  confirmLabel,
  pendingLabel = "Working…",
  dismissLabel = "Cancel",
  environment,
  tone = "danger",
  onConfirm,
}: {
  trigger: { label: string; variant?: "primary" | "secondary" | "danger" | "ghost" };
  /** The dialog's name, for screen readers and tests. */
  title: string;
  children: ReactNode;
  confirmLabel: string;
  pendingLabel?: string;
  dismissLabel?: string;
  /** When `protected`, the confirm button waits for the environment's name to be typed. */
  environment?: { name: string; protected: boolean };
  tone?: keyof typeof TONES;
  onConfirm: (typed: string | undefined) => Promise<ConfirmRefusal | void>;
}) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const [refusal, setRefusal] = useState<ConfirmRefusal>();
  const [pending, startTransition] = useTransition();
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (open) panel.current?.querySelector<HTMLElement>("input, button")?.focus();
  }, [open]);

  if (!open) {
    return (
      <Button size="sm" variant={trigger.variant ?? "danger"} onClick={() => setOpen(true)}>
        {trigger.label}
      </Button>
    );
  }
  const needsName = !!environment?.protected;
  const nameTyped = !needsName || typed.trim() === environment.name;
  const close = () => {
    setOpen(false);
    setTyped("");
    setRefusal(undefined);
  };
  return (
    <div
      ref={panel}
      role="dialog"
      aria-label={title}
      className={`w-80 max-w-full space-y-2 rounded-md border p-3 text-xs ${TONES[tone]}`}
      onKeyDown={(e) => {
        if (e.key === "Escape" && !pending) close();
      }}
    >
      {children}
      {needsName ? (
        <label className="block">
          Type <strong>{environment.name}</strong> to confirm
          <input
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            aria-label="Environment name"
            autoComplete="off"
            className="mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-1"
          />
        </label>
      ) : null}
      {refusal ? (
        <p role="alert" className="text-red-800">
          {refusal.error}
          {refusal.job ? (
            <>
              {" "}
              <Link className="font-medium underline" href={`/jobs/${refusal.job.id}`}>
                Follow job #{refusal.job.id}
              </Link>
            </>
          ) : null}
        </p>
      ) : null}
      <div className="flex gap-2">
        <Button
          size="sm"
          variant={tone === "neutral" ? "primary" : "danger"}
          disabled={pending || !nameTyped}
          onClick={() =>
            startTransition(async () => {
              const outcome = await onConfirm(needsName ? typed.trim() : undefined);
              if (outcome) setRefusal(outcome);
              else close();
            })
          }
        >
          {pending ? pendingLabel : confirmLabel}
        </Button>
        <Button size="sm" variant="ghost" disabled={pending} onClick={close}>
          {dismissLabel}
        </Button>
      </div>
    </div>
  );
}
