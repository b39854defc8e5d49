CREATE TABLE "adapter_outcomes" (
	"adapter" text PRIMARY KEY NOT NULL,
	"last_delivered_at" bigint,
	"last_delivered_id" text,
	"last_failed_at" bigint,
	"last_failed_id" text,
	"last_failed_status" bigint
);
