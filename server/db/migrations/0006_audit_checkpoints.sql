CREATE TABLE `audit_checkpoints` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`row_id` integer NOT NULL,
	`row_hash` text NOT NULL,
	`at` integer NOT NULL,
	`key_id` text NOT NULL,
	`signature` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_checkpoints_kind_idx` ON `audit_checkpoints` (`kind`,`row_id`);--> statement-breakpoint
CREATE INDEX `audit_checkpoints_row_idx` ON `audit_checkpoints` (`row_id`);--> statement-breakpoint
-- Checkpoints are append-only, like the log they vouch for.
CREATE TRIGGER `audit_checkpoints_no_update` BEFORE UPDATE ON `audit_checkpoints`
BEGIN
  SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_checkpoints_no_delete` BEFORE DELETE ON `audit_checkpoints`
BEGIN
  SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
--> statement-breakpoint
-- Audit rows may be deleted only once an archive checkpoint covers them (the archive job
-- writes the export and its checkpoint first, then prunes).
DROP TRIGGER `audit_log_no_delete`;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log`
WHEN old.id > (SELECT coalesce(max(row_id), 0) FROM audit_checkpoints WHERE kind = 'archive')
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: only archived rows can be pruned');
END;
