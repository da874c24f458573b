CREATE TABLE `ack_link_uses` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`alert_id` integer NOT NULL,
	`recipient` text NOT NULL,
	`used_by` text NOT NULL,
	`used_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`alert_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `ack_link_uses_expires_idx` ON `ack_link_uses` (`expires_at`);