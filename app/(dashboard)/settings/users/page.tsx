import type { Metadata } from "next";
import { CreateUserForm } from "@/components/users/create-user-form";
import { UserRowActions } from "@/components/users/user-row-actions";
import { RoleBadge } from "@/components/role-badge";
import { Time } from "@/components/ui/time";
import { requirePageUser } from "@/server/auth/session";
import { viewerTimeZone } from "@/server/preferences/viewer-time-zone";
import { getDb } from "@/server/db";
import { listUsers } from "@/server/queries/users";
import { Table } from "@/components/ui/table";

export const metadata: Metadata = { title: "Users · Settings" };

export default async function UsersPage() {
  const me = await requirePageUser("admin");
  const tz = await viewerTimeZone(me);
  const users = listUsers(getDb());
  return (
    <div className="space-y-6">
      <CreateUserForm />
      <Table
        columns={["User", "Role", "Status", "Sign-in", "Last sign-in", "Actions"]}
        testId="users-table"
      >
        {users.map((u) => (
          <tr
            key={u.id}
            className="border-t border-slate-100 align-top"
            data-testid={`user-row-${u.email}`}
          >
            <td className="px-3 py-2">
              <div className="font-medium">{u.name}</div>
              <div className="text-xs text-slate-500">{u.email}</div>
            </td>
            <td className="px-3 py-2">
              <RoleBadge role={u.role} />
            </td>
            <td className="px-3 py-2">
              {u.disabled ? (
                <span className="text-red-700">disabled</span>
              ) : (
                <span className="text-green-800">active</span>
              )}
            </td>
            <td className="px-3 py-2 text-xs">
              {u.provider === "oidc" ? "single sign-on" : "password"}
            </td>
            <td className="px-3 py-2 whitespace-nowrap text-xs">
              <Time timeZone={tz} value={u.lastLoginAt} />
            </td>
            <td className="px-3 py-2">
              <UserRowActions
                user={{
                  id: u.id,
                  email: u.email,
                  role: u.role,
                  disabled: u.disabled,
                  provider: u.provider,
                }}
                isSelf={u.id === me.id}
              />
            </td>
          </tr>
        ))}
      </Table>
    </div>
  );
}
