CREATE TABLE `backups` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job_id` text NOT NULL,
	`run_job_id` integer,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`file` text,
	`size_bytes` integer,
	`raw_bytes` integer,
	`sha256` text,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`duration_ms` integer,
	`verified` integer DEFAULT false NOT NULL,
	`tables` text,
	`error` text,
	`drill_at` integer,
	`drill_ok` integer,
	`drill_detail` text,
	`deleted_at` integer,
	`deleted_reason` text,
	`requested_by` text NOT NULL,
	FOREIGN KEY (`run_job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `backups_job_started_idx` ON `backups` (`job_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `backups_status_idx` ON `backups` (`status`);