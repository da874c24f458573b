CREATE TABLE `monitor_recent_hours` (
	`monitor_id` text NOT NULL,
	`bucket` integer NOT NULL,
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
	PRIMARY KEY(`monitor_id`, `bucket`)
) WITHOUT ROWID;--> statement-breakpoint
-- Backfill: the hour rows of the last 25 hours (the recorder keeps the table from now on).
INSERT INTO `monitor_recent_hours` (`monitor_id`, `bucket`, `resp_min`, `resp_max`, `h0`, `h1`, `h2`, `h3`, `h4`, `h5`, `h6`, `h7`, `h8`, `h9`, `h10`, `h11`, `h12`, `h13`, `h14`, `h15`, `h16`, `h17`, `h18`, `h19`)
SELECT `monitor_id`, `bucket`, `resp_min`, `resp_max`, `h0`, `h1`, `h2`, `h3`, `h4`, `h5`, `h6`, `h7`, `h8`, `h9`, `h10`, `h11`, `h12`, `h13`, `h14`, `h15`, `h16`, `h17`, `h18`, `h19`
FROM `monitor_rollups` WHERE `resolution` = 'hour' AND `bucket` >= (CAST(strftime('%s', 'now') AS INTEGER) / 3600 - 24) * 3600000;
