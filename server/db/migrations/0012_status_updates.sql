CREATE TABLE `status_updates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`alert_id` integer NOT NULL,
	`service` text NOT NULL,
	`status_pages` text NOT NULL,
	`status` text NOT NULL,
	`title` text,
	`message` text NOT NULL,
	`author_id` integer,
	`author` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`alert_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `status_updates_service_alert_idx` ON `status_updates` (`service`,`alert_id`,`id`);--> statement-breakpoint
CREATE INDEX `status_updates_alert_idx` ON `status_updates` (`alert_id`,`id`);