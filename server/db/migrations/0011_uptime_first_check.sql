ALTER TABLE `monitor_state` ADD `first_check_at` integer;--> statement-breakpoint
CREATE INDEX `incidents_closed_idx` ON `incidents` (`closed_at`);--> statement-breakpoint
-- Backfill: the earliest minute rollup while minute rows reach back to the first day, else the first day row.
UPDATE `monitor_state` SET `first_check_at` = (
  SELECT CASE WHEN mm IS NOT NULL AND (md IS NULL OR mm < md + 86400000) THEN mm ELSE md END
  FROM (
    SELECT
      (SELECT min(`bucket`) FROM `monitor_rollups` r WHERE r.`monitor_id` = `monitor_state`.`monitor_id` AND r.`resolution` = 'minute' AND r.`up` + r.`degraded` + r.`down` > 0) AS mm,
      (SELECT min(`bucket`) FROM `monitor_rollups` r WHERE r.`monitor_id` = `monitor_state`.`monitor_id` AND r.`resolution` = 'day' AND r.`up` + r.`degraded` + r.`down` > 0) AS md
  )
);
