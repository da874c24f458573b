ALTER TABLE `login_throttle` ADD `denied` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `login_throttle` ADD `denied_audited_at` integer;