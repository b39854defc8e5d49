CREATE TABLE "alert_windows" (
	"key" text PRIMARY KEY NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	"since" bigint,
	"samples" text DEFAULT '[]' NOT NULL,
	"last_alert_at" bigint,
	"updated_at" bigint NOT NULL
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
CREATE INDEX "members_birth_date_idx" ON "members" USING btree ("birth_date");--> statement-breakpoint
CREATE INDEX "members_created_idx" ON "members" USING btree ("created_at");