CREATE TABLE `applied_triggers` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`member_id` text,
	`points` integer NOT NULL,
	`outcome` text NOT NULL,
	`applied_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `expiry_notices` (
	`member_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	`notified_at` integer NOT NULL,
	PRIMARY KEY(`member_id`, `expires_at`)
);
--> statement-breakpoint
CREATE TABLE `inbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`source` text NOT NULL,
	`delivery_id` text NOT NULL,
	`topic` text,
	`status` text NOT NULL,
	`raw_body` text NOT NULL,
	`headers` text DEFAULT '{}' NOT NULL,
	`events` text,
	`outcome` text,
	`received_at` integer NOT NULL,
	`processed_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inbox_id_uq` ON `inbox` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `inbox_source_delivery_uq` ON `inbox` (`source`,`delivery_id`);--> statement-breakpoint
CREATE INDEX `inbox_status_idx` ON `inbox` (`status`,`seq`);--> statement-breakpoint
CREATE TABLE `member_standing` (
	`member_id` text PRIMARY KEY NOT NULL,
	`tier` text NOT NULL,
	`tier_since` integer NOT NULL,
	`downgrade_at` integer,
	`review_at` integer,
	`debt` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `member_standing_review_idx` ON `member_standing` (`review_at`) WHERE "member_standing"."review_at" is not null;--> statement-breakpoint
CREATE TABLE `order_refunds` (
	`key` text PRIMARY KEY NOT NULL,
	`order_key` text NOT NULL,
	`amount` integer NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	`status` text NOT NULL,
	`trigger` text NOT NULL,
	`received_at` integer NOT NULL,
	`resolved_at` integer
);
--> statement-breakpoint
CREATE INDEX `order_refunds_order_idx` ON `order_refunds` (`order_key`);--> statement-breakpoint
CREATE INDEX `order_refunds_parked_idx` ON `order_refunds` (`received_at`) WHERE "order_refunds"."status" = 'parked';--> statement-breakpoint
CREATE TABLE `orders` (
	`key` text PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`member_id` text,
	`guest_email` text,
	`currency` text NOT NULL,
	`amount` integer NOT NULL,
	`total` integer,
	`earned` integer DEFAULT 0 NOT NULL,
	`refunded_amount` integer DEFAULT 0 NOT NULL,
	`reversed_points` integer DEFAULT 0 NOT NULL,
	`status` text NOT NULL,
	`trigger` text,
	`occurred_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `orders_guest_email_idx` ON `orders` (`guest_email`) WHERE "orders"."status" = 'guest';--> statement-breakpoint
CREATE TABLE `program_counters` (
	`key` text PRIMARY KEY NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	`count` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `segment_members` (
	`segment_id` text NOT NULL,
	`member_id` text NOT NULL,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`segment_id`, `member_id`)
);
--> statement-breakpoint
CREATE INDEX `segment_members_member_idx` ON `segment_members` (`member_id`);--> statement-breakpoint
CREATE TABLE `segments` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `transfers_event_idx` ON `transfers` (`event_id`) WHERE "transfers"."event_id" is not null;