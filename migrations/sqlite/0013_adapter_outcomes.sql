CREATE TABLE `adapter_outcomes` (
	`adapter` text PRIMARY KEY NOT NULL,
	`last_delivered_at` integer,
	`last_delivered_id` text,
	`last_failed_at` integer,
	`last_failed_id` text,
	`last_failed_status` integer
);
