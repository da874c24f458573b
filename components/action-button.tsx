"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import type { ActionResult } from "@/lib/action-result";

/** A button that runs one server action with fixed input, shows its refusal, and refreshes the page. */
export function ActionButton<I>({
  action,
  input,
  label,
  pendingLabel,
  variant = "secondary",
  testId,
}: {
  action: (input: I) => Promise<ActionResult<unknown>>;
  input: I;
  label: string;
  pendingLabel?: string;
  variant?: "primary" | "secondary" | "danger" | "ghost";
  testId?: string;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string>();
  return (
    <span className="inline-flex flex-col items-start gap-1">
      <Button
        size="sm"
        variant={variant}
        disabled={pending}
        data-testid={testId}
        onClick={() =>
          startTransition(async () => {
            const result = await action(input);
            if (result.ok) {
              setError(undefined);
              router.refresh();
            } else setError(result.error);
          })
        }
      >
        {pending ? (pendingLabel ?? `${label}…`) : label}
      </Button>
      {error ? (
        <span role="alert" className="max-w-64 text-xs text-red-700">
          {error}
        </span>
      ) : null}
    </span>
  );
}
