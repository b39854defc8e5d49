CREATE TABLE "webhook_rejections" (
	"platform" text PRIMARY KEY NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	"since" bigint,
	"last_reason" text,
	"last_alert_at" bigint,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "inbox" ADD COLUMN "erased_at" bigint;