CREATE TABLE `member_pins` (
	`member_id` text PRIMARY KEY NOT NULL,
	`hash` text NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`locked_until` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `redemptions` (
	`id` text PRIMARY KEY NOT NULL,
	`reward_id` text NOT NULL,
	`member_id` text NOT NULL,
	`points` integer NOT NULL,
	`transfer_id` text NOT NULL,
	`voucher_code` text,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`reversed_at` integer
);
--> statement-breakpoint
CREATE INDEX `redemptions_member_reward_idx` ON `redemptions` (`member_id`,`reward_id`);--> statement-breakpoint
CREATE TABLE `rewards` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`kind` text NOT NULL,
	`cost` integer NOT NULL,
	`value` integer,
	`currency` text,
	`percent` integer,
	`product_sku` text,
	`code_source` text NOT NULL,
	`stock` integer,
	`per_member_limit` integer,
	`tiers` text DEFAULT '[]' NOT NULL,
	`segments` text DEFAULT '[]' NOT NULL,
	`valid_from` integer,
	`valid_until` integer,
	`voucher_valid_days` integer,
	`store_codes` text DEFAULT '[]' NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `voucher_pool` (
	`code` text PRIMARY KEY NOT NULL,
	`reward_id` text NOT NULL,
	`redemption_id` text,
	`added_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `voucher_pool_free_idx` ON `voucher_pool` (`reward_id`,`code`) WHERE "voucher_pool"."redemption_id" is null;--> statement-breakpoint
CREATE TABLE `vouchers` (
	`code` text PRIMARY KEY NOT NULL,
	`redemption_id` text NOT NULL,
	`reward_id` text NOT NULL,
	`member_id` text NOT NULL,
	`status` text NOT NULL,
	`expires_at` integer,
	`used_at` integer,
	`used_reference` text,
	`created_at` integer NOT NULL
);
