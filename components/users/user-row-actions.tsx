"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import type { ActionResult } from "@/lib/action-result";
import { ROLES, type Role } from "@/lib/roles";
import { passwordSchema } from "@/lib/schemas/user";
import { changeUserRole } from "@/server/actions/change-user-role";
import { resetUserPassword } from "@/server/actions/reset-user-password";
import { setUserDisabled } from "@/server/actions/set-user-disabled";

type Props = {
  user: {
    id: number;
    email: string;
    role: Role;
    disabled: boolean;
    provider: "credentials" | "oidc";
  };
  isSelf: boolean;
};

export function UserRowActions({ user, isSelf }: Props) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [resetting, setResetting] = useState(false);

  function run(action: () => Promise<ActionResult<unknown>>, done: string) {
    startTransition(async () => {
      const result = await action();
      setMessage(result.ok ? { ok: true, text: done } : { ok: false, text: result.error });
      if (result.ok) router.refresh();
    });
  }

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <label className="sr-only" htmlFor={`role-${user.id}`}>
          Role for {user.email}
        </label>
        <select
          id={`role-${user.id}`}
          value={user.role}
          disabled={pending}
          className="rounded-md border border-slate-300 px-2 py-1 text-xs"
          onChange={(e) => {
            const role = e.target.value as Role;
            run(() => changeUserRole({ userId: user.id, role }), `Role changed to ${role}.`);
          }}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        {isSelf ? null : (
          <Button
            size="sm"
            variant={user.disabled ? "secondary" : "danger"}
            disabled={pending}
            onClick={() =>
              run(
                () => setUserDisabled({ userId: user.id, disabled: !user.disabled }),
                user.disabled ? "Enabled." : "Disabled; their sessions have ended.",
              )
            }
          >
            {user.disabled ? "Enable" : "Disable"}
          </Button>
        )}
        {user.provider === "credentials" ? (
          <Button
            size="sm"
            variant="ghost"
            disabled={pending}
            onClick={() => setResetting((v) => !v)}
          >
            Reset password
          </Button>
        ) : null}
      </div>
      {resetting ? (
        <form
          className="flex items-center gap-2"
          aria-label={`New password for ${user.email}`}
          onSubmit={(e) => {
            e.preventDefault();
            const password = String(new FormData(e.currentTarget).get("password") ?? "");
            const parsed = passwordSchema.safeParse(password);
            if (!parsed.success) {
              setMessage({
                ok: false,
                text: parsed.error.issues[0]?.message ?? "Invalid password.",
              });
              return;
            }
            setResetting(false);
            run(
              () => resetUserPassword({ userId: user.id, password }),
              "Password reset; their sessions have ended.",
            );
          }}
        >
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            aria-label="New password"
            placeholder="New password (12+ characters)"
            className="rounded-md border border-slate-300 px-2 py-1 text-xs"
          />
          <Button size="sm" type="submit" disabled={pending}>
            Set password
          </Button>
        </form>
      ) : null}
      {message ? (
        <p
          role={message.ok ? "status" : "alert"}
          className={`text-xs ${message.ok ? "text-green-800" : "text-red-700"}`}
        >
          {message.text}
        </p>
      ) : null}
    </div>
  );
}
