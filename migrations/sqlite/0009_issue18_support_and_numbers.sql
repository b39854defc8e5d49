CREATE TABLE `activity_gaps` (
	`day` integer NOT NULL,
	`prev_day` integer NOT NULL,
	`members` integer NOT NULL,
	PRIMARY KEY(`day`, `prev_day`)
);
--> statement-breakpoint
CREATE TABLE `alert_windows` (
	`key` text PRIMARY KEY NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	`since` integer,
	`samples` text DEFAULT '[]' NOT NULL,
	`last_alert_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `analytics_state` (
	`id` text PRIMARY KEY NOT NULL,
	`time_zone` text NOT NULL,
	`built_at` integer NOT NULL
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
CREATE TABLE `fraud_holds` (
	`id` text PRIMARY KEY NOT NULL,
	`member_id` text NOT NULL,
	`event_id` text NOT NULL,
	`rule_id` text NOT NULL,
	`reason` text NOT NULL,
	`points` integer NOT NULL,
	`lines` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`held_at` integer NOT NULL,
	`held_until` integer NOT NULL,
	`decided_at` integer,
	`decided_by` text,
	`decision_reason` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `fraud_holds_event_uq` ON `fraud_holds` (`event_id`);--> statement-breakpoint
CREATE INDEX `fraud_holds_status_idx` ON `fraud_holds` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `fraud_holds_member_idx` ON `fraud_holds` (`member_id`);--> statement-breakpoint
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
--> statement-breakpoint
ALTER TABLE `orders` ADD `breakdown` text;--> statement-breakpoint
CREATE INDEX `members_birth_date_idx` ON `members` (`birth_date`);--> statement-breakpoint
CREATE INDEX `members_created_idx` ON `members` (`created_at`);--> statement-breakpoint
CREATE INDEX `redemptions_member_created_idx` ON `redemptions` (`member_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `vouchers_member_created_idx` ON `vouchers` (`member_id`,`created_at`,`code`);