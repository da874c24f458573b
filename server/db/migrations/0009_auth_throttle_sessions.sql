CREATE TABLE `session_revocations` (
	`sid` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`revoked_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `session_revocations_expires_at` ON `session_revocations` (`expires_at`);--> statement-breakpoint
ALTER TABLE `login_throttle` ADD `denied` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `login_throttle` ADD `denied_audited_at` integer;