CREATE TABLE "member_pins" (
	"member_id" text PRIMARY KEY NOT NULL,
	"hash" text NOT NULL,
	"failures" bigint DEFAULT 0 NOT NULL,
	"locked_until" bigint,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "redemptions" (
	"id" text PRIMARY KEY NOT NULL,
	"reward_id" text NOT NULL,
	"member_id" text NOT NULL,
	"points" bigint NOT NULL,
	"transfer_id" text NOT NULL,
	"voucher_code" text,
	"status" text NOT NULL,
	"created_at" bigint NOT NULL,
	"reversed_at" bigint
);
--> statement-breakpoint
CREATE TABLE "rewards" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"kind" text NOT NULL,
	"cost" bigint NOT NULL,
	"value" bigint,
	"currency" text,
	"percent" bigint,
	"product_sku" text,
	"code_source" text NOT NULL,
	"stock" bigint,
	"per_member_limit" bigint,
	"tiers" text DEFAULT '[]' NOT NULL,
	"segments" text DEFAULT '[]' NOT NULL,
	"valid_from" bigint,
	"valid_until" bigint,
	"voucher_valid_days" bigint,
	"store_codes" text DEFAULT '[]' NOT NULL,
	"status" text NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "voucher_pool" (
	"code" text PRIMARY KEY NOT NULL,
	"reward_id" text NOT NULL,
	"redemption_id" text,
	"added_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vouchers" (
	"code" text PRIMARY KEY NOT NULL,
	"redemption_id" text NOT NULL,
	"reward_id" text NOT NULL,
	"member_id" text NOT NULL,
	"status" text NOT NULL,
	"expires_at" bigint,
	"used_at" bigint,
	"used_reference" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "redemptions_member_reward_idx" ON "redemptions" USING btree ("member_id","reward_id");--> statement-breakpoint
CREATE INDEX "voucher_pool_free_idx" ON "voucher_pool" USING btree ("reward_id","code") WHERE "voucher_pool"."redemption_id" is null;