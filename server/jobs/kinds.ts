import "server-only";
// Every job kind this build knows; importing this module registers them with the runner.
export { auditVerifyJob } from "./kinds/audit-verify";
export { auditArchiveJob } from "./kinds/audit-archive";
export { maintenanceJob } from "./kinds/maintenance";
export { uptimeRetentionJob } from "./kinds/uptime-retention";
export { backupDrillJob, backupRestoreJob, backupRunJob } from "./kinds/backups";
export { deployActionJob, deploySyncJob } from "./kinds/deployments";
export { alertsDigestJob } from "./kinds/alerts-digest";
