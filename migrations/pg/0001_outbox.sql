CREATE TABLE "deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"route" text NOT NULL,
	"adapter" text NOT NULL,
	"payload" text NOT NULL,
	"member_id" text,
	"status" text NOT NULL,
	"attempts" bigint DEFAULT 0 NOT NULL,
	"next_attempt_at" bigint NOT NULL,
	"lease_until" bigint,
	"last_status_code" bigint,
	"last_error" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "delivery_attempts" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"delivery_id" text NOT NULL,
	"attempt" bigint NOT NULL,
	"outcome" text NOT NULL,
	"status_code" bigint,
	"latency_ms" bigint NOT NULL,
	"error" text,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "loyalty_events" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" text NOT NULL,
	"type" text NOT NULL,
	"member_id" text,
	"data" text NOT NULL,
	"occurred_at" bigint NOT NULL,
	"routed_at" bigint
);
--> statement-breakpoint
CREATE UNIQUE INDEX "deliveries_event_route_uq" ON "deliveries" USING btree ("event_id","route");--> statement-breakpoint
CREATE INDEX "deliveries_due_idx" ON "deliveries" USING btree ("next_attempt_at") WHERE "deliveries"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "deliveries_status_idx" ON "deliveries" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "delivery_attempts_delivery_idx" ON "delivery_attempts" USING btree ("delivery_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "loyalty_events_id_uq" ON "loyalty_events" USING btree ("id");--> statement-breakpoint
CREATE INDEX "loyalty_events_unrouted_idx" ON "loyalty_events" USING btree ("seq") WHERE "loyalty_events"."routed_at" is null;