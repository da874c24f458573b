export type NavItem = { href: string; label: string; built: boolean; summary: string };

/** The console's sections. `built: false` pages say plainly that they are not built yet. */
export const NAV: NavItem[] = [
  {
    href: "/",
    label: "Overview",
    built: true,
    summary: "Every service in every environment at a glance.",
  },
  {
    href: "/uptime",
    label: "Uptime",
    built: true,
    summary:
      "HTTP, TCP, TLS and heartbeat monitors with incidents, response times and uptime history.",
  },
  {
    href: "/errors",
    label: "Errors",
    built: false,
    summary: "Sentry issues per service and environment, with trends.",
  },
  {
    href: "/metrics",
    label: "Metrics",
    built: true,
    summary:
      "Request rates, latency percentiles, error rates and business metrics scraped from each service.",
  },
  {
    href: "/backups",
    label: "Backups",
    built: true,
    summary: "Scheduled and on-demand database backups, verified, with restore and restore drills.",
  },
  {
    href: "/deployments",
    label: "Deployments",
    built: true,
    summary: "Every deploy per environment, rollbacks, and deployment frequency and success rate.",
  },
  {
    href: "/secrets",
    label: "Secrets",
    built: false,
    summary: "The secrets inventory, rotation schedule and one-click rotation.",
  },
  {
    href: "/alerts",
    label: "Alerts",
    built: true,
    summary: "Alert rules, firing alerts, silences and notification channels.",
  },
  {
    href: "/oncall",
    label: "On-call",
    built: true,
    summary: "Rotations, overrides and who is on call now.",
  },
  {
    href: "/reports",
    label: "Reports",
    built: false,
    summary: "The daily status report and the weekly capacity review.",
  },
  {
    href: "/logs",
    label: "Logs",
    built: false,
    summary: "Structured logs from each service, searchable by request id and level.",
  },
  {
    href: "/audit",
    label: "Audit",
    built: true,
    summary: "Who did what, when and from where; hash-chained.",
  },
  {
    href: "/settings",
    label: "Settings",
    built: true,
    summary: "Users, jobs and system information.",
  },
];

export const ENV_COOKIE = "opsdeck-env";

/**
 * The pages that filter what they show by the header's environment switcher; every other
 * page (detail pages included: a monitor or a deploy belongs to one environment already)
 * hides it rather than offer a choice that changes nothing.
 */
export const ENV_SWITCHER_ROUTES = ["/", "/deployments"];

export const showsEnvironmentSwitcher = (pathname: string) =>
  ENV_SWITCHER_ROUTES.includes(pathname.replace(/\/+$/, "") || "/");
