CREATE TABLE "activity_gaps" (
	"day" integer NOT NULL,
	"prev_day" integer NOT NULL,
	"members" bigint NOT NULL,
	CONSTRAINT "activity_gaps_day_prev_day_pk" PRIMARY KEY("day","prev_day")
);
--> statement-breakpoint
CREATE TABLE "alert_windows" (
	"key" text PRIMARY KEY NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	"since" bigint,
	"samples" text DEFAULT '[]' NOT NULL,
	"last_alert_at" bigint,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_state" (
	"id" text PRIMARY KEY NOT NULL,
	"time_zone" text NOT NULL,
	"built_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "celebration_sweeps" (
	"kind" text NOT NULL,
	"day" text NOT NULL,
	"after" text,
	"done_at" bigint,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "celebration_sweeps_kind_day_pk" PRIMARY KEY("kind","day")
);
--> statement-breakpoint
CREATE TABLE "fraud_holds" (
	"id" text PRIMARY KEY NOT NULL,
	"member_id" text NOT NULL,
	"event_id" text NOT NULL,
	"rule_id" text NOT NULL,
	"reason" text NOT NULL,
	"points" bigint NOT NULL,
	"lines" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"held_at" bigint NOT NULL,
	"held_until" bigint NOT NULL,
	"decided_at" bigint,
	"decided_by" text,
	"decision_reason" text
);
--> statement-breakpoint
CREATE TABLE "ledger_daily" (
	"day" integer NOT NULL,
	"flow" text NOT NULL,
	"source" text NOT NULL,
	"channel" text NOT NULL,
	"tier" text NOT NULL,
	"lines" bigint NOT NULL,
	"points" bigint NOT NULL,
	CONSTRAINT "ledger_daily_day_flow_source_channel_tier_pk" PRIMARY KEY("day","flow","source","channel","tier")
);
--> statement-breakpoint
CREATE TABLE "member_activity" (
	"member_id" text PRIMARY KEY NOT NULL,
	"day" integer NOT NULL,
	"prev_day" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reward_daily" (
	"day" integer NOT NULL,
	"reward_id" text NOT NULL,
	"redemptions" bigint NOT NULL,
	"points" bigint NOT NULL,
	CONSTRAINT "reward_daily_day_reward_id_pk" PRIMARY KEY("day","reward_id")
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "breakdown" text;--> statement-breakpoint
CREATE UNIQUE INDEX "fraud_holds_event_uq" ON "fraud_holds" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "fraud_holds_status_idx" ON "fraud_holds" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "fraud_holds_member_idx" ON "fraud_holds" USING btree ("member_id");--> statement-breakpoint
CREATE INDEX "members_birth_date_idx" ON "members" USING btree ("birth_date");--> statement-breakpoint
CREATE INDEX "members_created_idx" ON "members" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "redemptions_member_created_idx" ON "redemptions" USING btree ("member_id","created_at","id");--> statement-breakpoint
CREATE INDEX "vouchers_member_created_idx" ON "vouchers" USING btree ("member_id","created_at","code");