CREATE TABLE "connector_state" (
	"connector" text NOT NULL,
	"key" text NOT NULL,
	"value" text NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "connector_state_connector_key_pk" PRIMARY KEY("connector","key")
);
