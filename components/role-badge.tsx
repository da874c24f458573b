import type { Role } from "@/lib/roles";

const STYLE: Record<Role, string> = {
  viewer: "bg-slate-100 text-slate-700",
  operator: "bg-sky-100 text-sky-800",
  admin: "bg-violet-100 text-violet-800",
};

export function RoleBadge({ role }: { role: Role }) {
  return (
    <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${STYLE[role]}`}>{role}</span>
  );
}
