CREATE TABLE "webhook_rejection_hours" (
	"platform" text NOT NULL,
	"hour_start" bigint NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "webhook_rejection_hours_platform_hour_start_pk" PRIMARY KEY("platform","hour_start")
);
--> statement-breakpoint
CREATE INDEX "webhook_rejection_hours_hour_idx" ON "webhook_rejection_hours" USING btree ("hour_start");--> statement-breakpoint
CREATE INDEX "deliveries_status_id_idx" ON "deliveries" USING btree ("status","id");