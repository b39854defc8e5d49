CREATE TABLE `webhook_rejections` (
	`platform` text PRIMARY KEY NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	`since` integer,
	`last_reason` text,
	`last_alert_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `inbox` ADD `erased_at` integer;