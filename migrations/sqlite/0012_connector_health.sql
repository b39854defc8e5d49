CREATE TABLE `webhook_rejection_hours` (
	`platform` text NOT NULL,
	`hour_start` integer NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`platform`, `hour_start`)
);
--> statement-breakpoint
CREATE INDEX `webhook_rejection_hours_hour_idx` ON `webhook_rejection_hours` (`hour_start`);--> statement-breakpoint
CREATE INDEX `deliveries_status_id_idx` ON `deliveries` (`status`,`id`);