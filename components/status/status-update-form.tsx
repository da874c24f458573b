"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { STATUS_UPDATE_STATUSES, type StatusUpdateStatus } from "@/lib/schemas/status";
import { postStatusUpdate } from "@/server/actions/post-status-update";

const MAX = 2000;

/** Post a public note on this alert: it shows, as an incident, on the status pages listing its service. */
export function StatusUpdateForm({
  alertId,
  needsTitle,
  pages,
}: {
  alertId: number;
  /** The first update names the incident. */
  needsTitle: boolean;
  /** Paths of the status pages it will show on. */
  pages: string[];
}) {
  const router = useRouter();
  const [status, setStatus] = useState<StatusUpdateStatus>(
    needsTitle ? "investigating" : "monitoring",
  );
  const [title, setTitle] = useState("");
  const [message, setMessage] = useState("");
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);
  const [pending, startTransition] = useTransition();
  return (
    <form
      aria-label="Post a status update"
      className="max-w-xl space-y-2 rounded-md border border-slate-300 bg-white p-3 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        startTransition(async () => {
          const result = await postStatusUpdate({
            alertId,
            status,
            title: needsTitle ? title : undefined,
            message,
          });
          if (result.ok) {
            setError(undefined);
            setDone(true);
            setMessage("");
            setTitle("");
            router.refresh();
          } else {
            setDone(false);
            setError(result.error);
          }
        });
      }}
    >
      <h3 className="font-semibold">Post a status update</h3>
      <p className="text-xs text-slate-500">
        Public: shown on{" "}
        {pages.map((p, i) => (
          <span key={p}>
            {i ? ", " : ""}
            <a className="underline" href={`/status/${p}`}>
              /status/{p}
            </a>
          </span>
        ))}{" "}
        to anyone, without sign-in. Write for your users; leave out hosts, errors and names.
      </p>
      <label className="block">
        Status
        <select
          name="status"
          className="mt-1 block rounded border border-slate-300 px-2 py-1"
          value={status}
          onChange={(e) => setStatus(e.target.value as StatusUpdateStatus)}
        >
          {STATUS_UPDATE_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s[0]!.toUpperCase() + s.slice(1)}
            </option>
          ))}
        </select>
      </label>
      {needsTitle ? (
        <label className="block">
          Public title
          <input
            name="title"
            required
            maxLength={120}
            className="mt-1 block w-full rounded border border-slate-300 px-2 py-1"
            placeholder="e.g. Sign-in failures on the iOS app"
            value={title}
            onChange={(e) => setTitle(e.target.value)}
          />
        </label>
      ) : null}
      <label className="block">
        Message
        <textarea
          name="message"
          required
          rows={3}
          maxLength={MAX}
          className="mt-1 block w-full rounded border border-slate-300 px-2 py-1"
          value={message}
          onChange={(e) => setMessage(e.target.value)}
        />
        <span className="text-xs text-slate-500">
          {message.length} / {MAX}
        </span>
      </label>
      {error ? (
        <p role="alert" className="text-red-700">
          {error}
        </p>
      ) : null}
      {done ? (
        <p role="status" className="text-green-700">
          Posted. The status page shows it within 30 seconds.
        </p>
      ) : null}
      <Button type="submit" size="sm" disabled={pending}>
        {pending ? "Posting…" : "Post update"}
      </Button>
    </form>
  );
}
