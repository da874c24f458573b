CREATE TABLE `check_results` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`monitor_id` text NOT NULL,
	`at` integer NOT NULL,
	`status` text NOT NULL,
	`response_ms` integer,
	`status_code` integer,
	`error` text,
	`tls_days_left` integer,
	`maintenance` integer DEFAULT false NOT NULL,
	`retrying` integer DEFAULT false NOT NULL,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `check_results_monitor_at_idx` ON `check_results` (`monitor_id`,`at`);--> statement-breakpoint
CREATE INDEX `check_results_at_idx` ON `check_results` (`at`);--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`monitor_id` text NOT NULL,
	`opened_at` integer NOT NULL,
	`closed_at` integer,
	`cause` text NOT NULL,
	`last_error` text,
	`failed_checks` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `incidents_monitor_opened_idx` ON `incidents` (`monitor_id`,`opened_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `incidents_one_open_per_monitor` ON `incidents` (`monitor_id`) WHERE "incidents"."closed_at" is null;--> statement-breakpoint
CREATE TABLE `monitor_rollups` (
	`monitor_id` text NOT NULL,
	`resolution` text NOT NULL,
	`bucket` integer NOT NULL,
	`up` integer DEFAULT 0 NOT NULL,
	`degraded` integer DEFAULT 0 NOT NULL,
	`down` integer DEFAULT 0 NOT NULL,
	`maintenance` integer DEFAULT 0 NOT NULL,
	`resp_count` integer DEFAULT 0 NOT NULL,
	`resp_sum` integer DEFAULT 0 NOT NULL,
	`resp_min` integer,
	`resp_max` integer,
	`h0` integer DEFAULT 0 NOT NULL,
	`h1` integer DEFAULT 0 NOT NULL,
	`h2` integer DEFAULT 0 NOT NULL,
	`h3` integer DEFAULT 0 NOT NULL,
	`h4` integer DEFAULT 0 NOT NULL,
	`h5` integer DEFAULT 0 NOT NULL,
	`h6` integer DEFAULT 0 NOT NULL,
	`h7` integer DEFAULT 0 NOT NULL,
	`h8` integer DEFAULT 0 NOT NULL,
	`h9` integer DEFAULT 0 NOT NULL,
	`h10` integer DEFAULT 0 NOT NULL,
	`h11` integer DEFAULT 0 NOT NULL,
	`h12` integer DEFAULT 0 NOT NULL,
	`h13` integer DEFAULT 0 NOT NULL,
	`h14` integer DEFAULT 0 NOT NULL,
	`h15` integer DEFAULT 0 NOT NULL,
	`h16` integer DEFAULT 0 NOT NULL,
	`h17` integer DEFAULT 0 NOT NULL,
	`h18` integer DEFAULT 0 NOT NULL,
	`h19` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`monitor_id`, `resolution`, `bucket`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `monitor_rollups_res_bucket_idx` ON `monitor_rollups` (`resolution`,`bucket`);--> statement-breakpoint
CREATE TABLE `monitor_state` (
	`monitor_id` text PRIMARY KEY NOT NULL,
	`status` text DEFAULT 'unknown' NOT NULL,
	`since` integer NOT NULL,
	`last_check_at` integer,
	`last_response_ms` integer,
	`last_status_code` integer,
	`last_error` text,
	`tls_days_left` integer,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`failing_since` integer,
	`first_error` text,
	`paused_by` text,
	`paused_at` integer,
	`last_ping_at` integer,
	`last_start_at` integer
);
