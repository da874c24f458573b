ALTER TABLE `alerts` ADD `notified_at` integer;--> statement-breakpoint
CREATE INDEX `alerts_events_pending_idx` ON `alerts` (`active_at`) WHERE "alerts"."state" = 'event' and "alerts"."notified_at" is null;--> statement-breakpoint
ALTER TABLE `deployments` ADD `outcome` text;--> statement-breakpoint
ALTER TABLE `deployments` ADD `outcome_at` integer;--> statement-breakpoint
-- Rollbacks and redeploys made before outcomes were stored: what their audit row said,
-- else what their status allows (a deploy that succeeded was at least not verified here).
UPDATE `deployments` SET
  `outcome` = coalesce(
    (select case json_extract(a.`details`, '$.outcome')
        when 'succeeded' then 'healthy' when 'unhealthy' then 'unhealthy'
        when 'unverified' then 'unverified' when 'failed' then 'failed' else 'interrupted' end
     from `audit_log` a
     where a.`action` in ('deployments.rollback_completed', 'deployments.redeploy_completed')
       and json_extract(a.`details`, '$.deploymentId') = `deployments`.`id`
     order by a.`id` desc limit 1),
    case `status` when 'failed' then 'failed' when 'unknown' then 'interrupted' else 'unverified' end),
  `outcome_at` = coalesce(`finished_at`, `started_at`)
WHERE `source` = 'opsdeck' and `status` != 'started';
