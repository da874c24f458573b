"use client";

import { useState } from "react";

/** A `curl` one-liner that fails loudly, gives up after 10 s and retries a flaky network. */
export function curlLine(url: string): string {
  return `curl -fsS -m 10 --retry 5 -o /dev/null ${url}`;
}

function CopyLine({ label, text }: { label: string; text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="space-y-1">
      <div className="text-xs text-slate-500">{label}</div>
      <div className="flex items-start gap-2">
        <code className="theme-fixed min-w-0 flex-1 overflow-x-auto whitespace-pre rounded bg-slate-900 px-3 py-2 text-xs text-slate-100">
          {text}
        </code>
        <button
          type="button"
          className="rounded border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100"
          aria-label={`Copy: ${label}`}
          onClick={async () => {
            await navigator.clipboard?.writeText(text).catch(() => undefined);
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          }}
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </div>
  );
}

/**
 * The ping URL of a heartbeat monitor with copyable curl lines for success, /start and
 * /fail (healthchecks.io's model). Without the token (a viewer's view) it shows the
 * shape only: the token is a credential.
 */
export function PingUrls({ url, hasToken }: { url: string; hasToken: boolean }) {
  return (
    <div className="space-y-3" data-testid="ping-urls">
      <CopyLine label="Ping URL (GET or POST)" text={url} />
      <CopyLine label="When the job succeeds" text={curlLine(url)} />
      <CopyLine
        label="When the job starts (measures its run time)"
        text={curlLine(`${url}/start`)}
      />
      <CopyLine label="When the job fails" text={curlLine(`${url}/fail`)} />
      <CopyLine
        label="Around a job, in cron"
        text={`${curlLine(`${url}/start`)}; ./job.sh && ${curlLine(url)} || ${curlLine(`${url}/fail`)}`}
      />
      <p className="text-xs text-slate-500">
        {hasToken
          ? 'The URL holds this monitor\'s token: anyone with it can ping. A POST with a JSON body may carry {"message": "…"}.'
          : "The token is shown to operators and admins only: replace <token> with the token from opsdeck.yaml."}
      </p>
    </div>
  );
}
