CREATE TABLE "member_history" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"member_id" text NOT NULL,
	"kind" text NOT NULL,
	"detail" text DEFAULT '{}' NOT NULL,
	"actor" text NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "member_history_member_idx" ON "member_history" USING btree ("member_id","seq");