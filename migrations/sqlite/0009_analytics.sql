CREATE TABLE `activity_gaps` (
	`day` integer NOT NULL,
	`prev_day` integer NOT NULL,
	`members` integer NOT NULL,
	PRIMARY KEY(`day`, `prev_day`)
);
--> statement-breakpoint
CREATE TABLE `analytics_state` (
	`id` text PRIMARY KEY NOT NULL,
	`time_zone` text NOT NULL,
	`built_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ledger_daily` (
	`day` integer NOT NULL,
	`flow` text NOT NULL,
	`source` text NOT NULL,
	`channel` text NOT NULL,
	`tier` text NOT NULL,
	`lines` integer NOT NULL,
	`points` integer NOT NULL,
	PRIMARY KEY(`day`, `flow`, `source`, `channel`, `tier`)
);
--> statement-breakpoint
CREATE TABLE `member_activity` (
	`member_id` text PRIMARY KEY NOT NULL,
	`day` integer NOT NULL,
	`prev_day` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `reward_daily` (
	`day` integer NOT NULL,
	`reward_id` text NOT NULL,
	`redemptions` integer NOT NULL,
	`points` integer NOT NULL,
	PRIMARY KEY(`day`, `reward_id`)
);
