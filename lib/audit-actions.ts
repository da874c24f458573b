// What the audit log calls each action, in words. The ids stay in the database, URLs and
// filters; people read these. audit-actions.test.ts fails when server/ audits an action
// this table does not name.

export const AUDIT_ACTION_LABELS: Record<string, string> = {
  "alerts.ack": "Alert acknowledged",
  "alerts.active": "Active alerts read",
  "alerts.expire_silence": "Silence ended",
  "alerts.false_positive": "Alert marked false positive",
  "alerts.resolve": "Alert resolved",
  "alerts.silence": "Silence created",
  "alerts.test_notification": "Test notification sent",
  "audit.archive": "Audit log archived",
  "auth.login": "Sign-in",
  "auth.logout": "Sign-out",
  "backups.download": "Backup downloaded",
  "backups.restore": "Restore started",
  "backups.restore_canceled": "Restore canceled",
  "backups.restore_completed": "Restore completed",
  "backups.restore_failed": "Restore failed",
  "backups.run": "Backup started",
  "config.edit": "Configuration edited",
  "config.preview": "Configuration edit previewed",
  "config.reload": "Configuration reloaded",
  "deployments.ingest": "Deployment reported",
  "deployments.redeploy": "Redeploy started",
  "deployments.redeploy_completed": "Redeploy finished",
  "deployments.rollback": "Rollback started",
  "deployments.rollback_completed": "Rollback finished",
  health: "Health checked",
  "heartbeat.ping": "Heartbeat ping",
  "jobs.cancel": "Job canceled",
  "jobs.events": "Job progress read",
  "jobs.get": "Job read",
  "jobs.start": "Job started",
  "live.state": "Live state read",
  metrics: "Metrics scraped",
  "monitors.pause": "Monitor paused",
  "monitors.resume": "Monitor resumed",
  "monitors.set_paused": "Monitor paused or resumed",
  "oncall.calendar": "Calendar feed read",
  "oncall.calendar_token": "Calendar link created",
  "oncall.delete_override": "On-call override removed",
  "oncall.override": "On-call override added",
  "preferences.set_time_zone": "Time zone changed",
  "sentry.test": "Sentry test event sent",
  "status.post_update": "Status update posted",
  "uptime.badge": "Uptime badge read",
  "uptime.status": "Uptime status read",
  "users.bootstrap_admin": "First admin created",
  "users.change_role": "Role changed",
  "users.create": "User added",
  "users.disable": "User disabled",
  "users.enable": "User enabled",
  "users.reset_password": "Password reset",
  "users.set_disabled": "User disabled or enabled",
};

/** "deploy.action"-style ids to words; an id the table lacks is shown as-is rather than guessed. */
export function auditActionLabel(action: string): string {
  const known = AUDIT_ACTION_LABELS[action];
  if (known) return known;
  const throttled = /^(.+)\.throttled$/.exec(action);
  if (throttled?.[1]) {
    const base = AUDIT_ACTION_LABELS[throttled[1]];
    if (base) return `${base} (throttled)`;
  }
  return action;
}
