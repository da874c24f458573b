CREATE TABLE `deployments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`service` text NOT NULL,
	`environment` text NOT NULL,
	`version` text NOT NULL,
	`commit_sha` text,
	`committed_at` integer,
	`status` text NOT NULL,
	`provider_status` text,
	`author` text,
	`message` text,
	`url` text,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`external_id` text,
	`source` text NOT NULL,
	`rollback_of` integer,
	`can_rollback` integer,
	`reported_by` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deployments_external_unique` ON `deployments` (`service`,`environment`,`external_id`) WHERE "deployments"."external_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX `deployments_version_start_unique` ON `deployments` (`service`,`environment`,`version`,`started_at`);--> statement-breakpoint
CREATE INDEX `deployments_env_started_idx` ON `deployments` (`environment`,`started_at`);--> statement-breakpoint
CREATE INDEX `deployments_service_env_started_idx` ON `deployments` (`service`,`environment`,`started_at`);