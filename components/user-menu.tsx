"use client";

import { signOut } from "next-auth/react";
import Link from "next/link";
import { RoleBadge } from "@/components/role-badge";
import type { Role } from "@/lib/roles";

export function UserMenu({ name, email, role }: { name: string; email: string; role: Role }) {
  return (
    <details className="relative">
      <summary
        aria-label="User menu"
        className="flex cursor-pointer list-none items-center gap-2 rounded-md px-2 py-1 text-sm hover:bg-slate-100"
      >
        {/* On a phone the role stands for the person; the name is in the menu. */}
        <span className="hidden font-medium sm:inline" data-testid="user-name">
          {name}
        </span>
        <RoleBadge role={role} />
      </summary>
      <div className="absolute right-0 z-20 mt-2 w-64 max-w-[calc(100vw-2rem)] rounded-md border border-slate-200 bg-white p-3 shadow-lg">
        <div className="text-sm font-medium">{name}</div>
        <div className="truncate text-xs text-slate-500">{email}</div>
        <div className="mt-1 text-xs text-slate-500">
          Role: <span data-testid="user-role">{role}</span>
        </div>
        <hr className="my-2 border-slate-200" />
        {role === "admin" ? (
          <Link
            href="/settings/users"
            className="block rounded px-2 py-1 text-sm hover:bg-slate-100"
          >
            Manage users
          </Link>
        ) : null}
        <button
          type="button"
          className="block w-full rounded px-2 py-1 text-left text-sm hover:bg-slate-100"
          onClick={() => void signOut({ callbackUrl: "/login" })}
        >
          Sign out
        </button>
      </div>
    </details>
  );
}
