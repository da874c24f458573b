import "server-only";
import { hasDigestRoutes } from "@/server/alerts/digest";
import type { LoadedConfig } from "@/server/config/load";
import type { Schedule } from "@/server/scheduler";

/** Every scheduled job, from the config. */
export function schedulesFrom(config: LoadedConfig["config"]): Schedule[] {
  return [
    { name: "maintenance", cron: config.housekeeping.schedule, kind: "db.maintenance", params: {} },
    { name: "uptime-retention", cron: "0 4 * * *", kind: "uptime.retention", params: {} },
    ...(config.housekeeping.auditArchive.schedule
      ? [
          {
            name: "audit-archive",
            cron: config.housekeeping.auditArchive.schedule,
            kind: "audit.archive",
            params: {},
            // The lock of a by-hand archive too: never two at once.
            lockKey: "audit.archive",
          },
        ]
      : []),
    ...(config.services.some((s) =>
      Object.values(s.environments).some((e) => e.deploy?.provider === "railway"),
    )
      ? [
          {
            name: "deploy-sync",
            cron: "* * * * *",
            kind: "deploy.sync",
            params: {},
            runWhenNew: true,
          },
        ]
      : []),
    ...(hasDigestRoutes(config)
      ? [
          {
            name: "alerts-digest",
            cron: config.alerts.digest.schedule,
            kind: "alerts.digest",
            params: {},
          },
        ]
      : []),
    ...config.backups.flatMap((b): Schedule[] =>
      b.source.type === "external"
        ? []
        : [
            {
              name: `backup:${b.id}`,
              cron: b.schedule,
              kind: "backup.run",
              params: { backup: b.id, kind: "scheduled" },
              lockKey: `backup:${b.id}`,
              runWhenNew: true,
            },
            ...(b.restoreDrill
              ? [
                  {
                    name: `drill:${b.id}`,
                    cron: b.restoreDrill,
                    kind: "backup.drill",
                    params: { backup: b.id },
                    lockKey: `backup:${b.id}`,
                  },
                ]
              : []),
          ],
    ),
  ];
}
