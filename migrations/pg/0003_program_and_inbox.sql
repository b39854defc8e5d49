CREATE TABLE "applied_triggers" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"member_id" text,
	"points" bigint NOT NULL,
	"outcome" text NOT NULL,
	"applied_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "expiry_notices" (
	"member_id" text NOT NULL,
	"expires_at" bigint NOT NULL,
	"notified_at" bigint NOT NULL,
	CONSTRAINT "expiry_notices_member_id_expires_at_pk" PRIMARY KEY("member_id","expires_at")
);
--> statement-breakpoint
CREATE TABLE "inbox" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" text NOT NULL,
	"source" text NOT NULL,
	"delivery_id" text NOT NULL,
	"topic" text,
	"status" text NOT NULL,
	"raw_body" text NOT NULL,
	"headers" text DEFAULT '{}' NOT NULL,
	"events" text,
	"outcome" text,
	"received_at" bigint NOT NULL,
	"processed_at" bigint
);
--> statement-breakpoint
CREATE TABLE "member_standing" (
	"member_id" text PRIMARY KEY NOT NULL,
	"tier" text NOT NULL,
	"tier_since" bigint NOT NULL,
	"downgrade_at" bigint,
	"review_at" bigint,
	"debt" bigint DEFAULT 0 NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order_refunds" (
	"key" text PRIMARY KEY NOT NULL,
	"order_key" text NOT NULL,
	"amount" bigint NOT NULL,
	"points" bigint DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"trigger" text NOT NULL,
	"received_at" bigint NOT NULL,
	"resolved_at" bigint
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"key" text PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"member_id" text,
	"guest_email" text,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"total" bigint,
	"earned" bigint DEFAULT 0 NOT NULL,
	"refunded_amount" bigint DEFAULT 0 NOT NULL,
	"reversed_points" bigint DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"trigger" text,
	"occurred_at" bigint NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "program_counters" (
	"key" text PRIMARY KEY NOT NULL,
	"points" bigint DEFAULT 0 NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "segment_members" (
	"segment_id" text NOT NULL,
	"member_id" text NOT NULL,
	"added_at" bigint NOT NULL,
	CONSTRAINT "segment_members_segment_id_member_id_pk" PRIMARY KEY("segment_id","member_id")
);
--> statement-breakpoint
CREATE TABLE "segments" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "inbox_id_uq" ON "inbox" USING btree ("id");--> statement-breakpoint
CREATE UNIQUE INDEX "inbox_source_delivery_uq" ON "inbox" USING btree ("source","delivery_id");--> statement-breakpoint
CREATE INDEX "inbox_status_idx" ON "inbox" USING btree ("status","seq");--> statement-breakpoint
CREATE INDEX "member_standing_review_idx" ON "member_standing" USING btree ("review_at") WHERE "member_standing"."review_at" is not null;--> statement-breakpoint
CREATE INDEX "order_refunds_order_idx" ON "order_refunds" USING btree ("order_key");--> statement-breakpoint
CREATE INDEX "order_refunds_parked_idx" ON "order_refunds" USING btree ("received_at") WHERE "order_refunds"."status" = 'parked';--> statement-breakpoint
CREATE INDEX "orders_guest_email_idx" ON "orders" USING btree ("guest_email") WHERE "orders"."status" = 'guest';--> statement-breakpoint
CREATE INDEX "segment_members_member_idx" ON "segment_members" USING btree ("member_id");--> statement-breakpoint
CREATE INDEX "transfers_event_idx" ON "transfers" USING btree ("event_id") WHERE "transfers"."event_id" is not null;