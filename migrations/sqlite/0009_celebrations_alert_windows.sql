CREATE TABLE `alert_windows` (
	`key` text PRIMARY KEY NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	`since` integer,
	`samples` text DEFAULT '[]' NOT NULL,
	`last_alert_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `celebration_sweeps` (
	`kind` text NOT NULL,
	`day` text NOT NULL,
	`after` text,
	`done_at` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`kind`, `day`)
);
--> statement-breakpoint
CREATE INDEX `members_birth_date_idx` ON `members` (`birth_date`);--> statement-breakpoint
CREATE INDEX `members_created_idx` ON `members` (`created_at`);