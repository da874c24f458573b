DROP INDEX `alerts_state_idx`;--> statement-breakpoint
CREATE INDEX `alerts_state_active_idx` ON `alerts` (`state`,`active_at`,`id`);