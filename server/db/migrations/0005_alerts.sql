CREATE TABLE `alert_groups` (
	`key` text PRIMARY KEY NOT NULL,
	`route` text NOT NULL,
	`labels` text NOT NULL,
	`created_at` integer NOT NULL,
	`notified` text NOT NULL,
	`last_flush_at` integer,
	`next_flush_at` integer NOT NULL,
	`flushes` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `alert_transitions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`alert_id` integer NOT NULL,
	`at` integer NOT NULL,
	`from_state` text NOT NULL,
	`to_state` text NOT NULL,
	`by` text,
	`note` text,
	FOREIGN KEY (`alert_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `alert_transitions_alert_idx` ON `alert_transitions` (`alert_id`,`at`);--> statement-breakpoint
CREATE TABLE `alerts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`rule_id` text NOT NULL,
	`fingerprint` text NOT NULL,
	`labels` text NOT NULL,
	`severity` text NOT NULL,
	`summary` text NOT NULL,
	`value` real,
	`state` text NOT NULL,
	`active_at` integer NOT NULL,
	`last_active_at` integer NOT NULL,
	`fired_at` integer,
	`resolved_at` integer,
	`resolved_by` text,
	`false_positive` integer DEFAULT false NOT NULL,
	`hold_until_clear` integer DEFAULT false NOT NULL,
	`acked_at` integer,
	`acked_by` text,
	`escalation_policy` text,
	`escalation_level` integer,
	`escalation_round` integer,
	`escalation_next_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_one_open_per_fingerprint` ON `alerts` (`rule_id`,`fingerprint`) WHERE "alerts"."state" in ('pending', 'firing') or "alerts"."hold_until_clear" = 1;--> statement-breakpoint
CREATE INDEX `alerts_state_idx` ON `alerts` (`state`);--> statement-breakpoint
CREATE INDEX `alerts_rule_fired_idx` ON `alerts` (`rule_id`,`fired_at`);--> statement-breakpoint
CREATE INDEX `alerts_active_at_idx` ON `alerts` (`active_at`);--> statement-breakpoint
CREATE TABLE `calendar_tokens` (
	`user_id` integer PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `calendar_tokens_hash_unique` ON `calendar_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `channel_state` (
	`channel_id` text PRIMARY KEY NOT NULL,
	`last_success_at` integer,
	`last_error_at` integer,
	`last_error` text,
	`permanent` integer DEFAULT false NOT NULL,
	`blocked_until` integer
);
--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`channel_id` text NOT NULL,
	`kind` text NOT NULL,
	`dedupe_key` text NOT NULL,
	`group_key` text,
	`alert_ids` text NOT NULL,
	`payload` text NOT NULL,
	`recipient` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_dedupe_unique` ON `notifications` (`channel_id`,`dedupe_key`);--> statement-breakpoint
CREATE INDEX `notifications_pending_idx` ON `notifications` (`channel_id`,`id`) WHERE "notifications"."status" = 'pending';--> statement-breakpoint
CREATE INDEX `notifications_created_idx` ON `notifications` (`created_at`);--> statement-breakpoint
CREATE TABLE `oncall_overrides` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`schedule_id` text NOT NULL,
	`person` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`reason` text,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`deleted_at` integer,
	`deleted_by` text
);
--> statement-breakpoint
CREATE INDEX `oncall_overrides_schedule_idx` ON `oncall_overrides` (`schedule_id`,`ends_at`);--> statement-breakpoint
CREATE TABLE `silences` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`matchers` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`comment` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`expired_by` text
);
--> statement-breakpoint
CREATE INDEX `silences_ends_idx` ON `silences` (`ends_at`);