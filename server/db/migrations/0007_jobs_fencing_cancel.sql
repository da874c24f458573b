ALTER TABLE `jobs` ADD `epoch` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `jobs` ADD `cancel_requested_at` integer;--> statement-breakpoint
ALTER TABLE `jobs` ADD `cancel_requested_by` text;--> statement-breakpoint
ALTER TABLE `leases` ADD `epoch` integer DEFAULT 1 NOT NULL;