"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { ROLES } from "@/lib/roles";
import { createUserInput } from "@/lib/schemas/user";
import { createUser } from "@/server/actions/create-user";

type Errors = Partial<Record<string, string>>;

export function CreateUserForm() {
  const router = useRouter();
  const form = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [message, setMessage] = useState<string>();
  const [pending, startTransition] = useTransition();

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.currentTarget));
    const parsed = createUserInput.safeParse(data);
    setMessage(undefined);
    if (!parsed.success) {
      setErrors(Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message])));
      return;
    }
    setErrors({});
    startTransition(async () => {
      const result = await createUser(parsed.data);
      if (result.ok) {
        form.current?.reset();
        setMessage(`Added ${parsed.data.email}.`);
        router.refresh();
      } else {
        setErrors(Object.fromEntries((result.issues ?? []).map((i) => [i.path, i.message])));
        setMessage(result.error);
      }
    });
  }

  return (
    <form
      ref={form}
      onSubmit={submit}
      noValidate
      className="rounded-lg border border-slate-200 bg-white p-4"
      aria-label="Add user"
    >
      <h2 className="mb-3 font-semibold">Add a user</h2>
      <div className="grid gap-3 md:grid-cols-4">
        <Field label="Name" name="name" required maxLength={100} error={errors.name} />
        <Field label="Email" name="email" type="email" required error={errors.email} />
        <Field
          label="Initial password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          error={errors.password}
          hint="At least 12 characters."
        />
        <div>
          <label htmlFor="new-user-role" className="block text-sm font-medium text-slate-700">
            Role
          </label>
          <select
            id="new-user-role"
            name="role"
            defaultValue="viewer"
            className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="mt-3 flex items-center gap-3">
        <Button type="submit" disabled={pending}>
          {pending ? "Adding…" : "Add user"}
        </Button>
        {message ? (
          <p role="status" className="text-sm text-slate-700">
            {message}
          </p>
        ) : null}
      </div>
    </form>
  );
}
