CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"hash" text NOT NULL,
	"scopes" text NOT NULL,
	"created_at" bigint NOT NULL,
	"revoked_at" bigint
);
--> statement-breakpoint
CREATE TABLE "balances" (
	"member_id" text PRIMARY KEY NOT NULL,
	"available" bigint DEFAULT 0 NOT NULL,
	"pending" bigint DEFAULT 0 NOT NULL,
	"locked" bigint DEFAULT 0 NOT NULL,
	"spent" bigint DEFAULT 0 NOT NULL,
	"expired" bigint DEFAULT 0 NOT NULL,
	"lifetime_earned" bigint DEFAULT 0 NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_records" (
	"key" text PRIMARY KEY NOT NULL,
	"request_hash" text NOT NULL,
	"state" text NOT NULL,
	"status_code" bigint,
	"content_type" text,
	"response_body" text,
	"created_at" bigint NOT NULL,
	"completed_at" bigint
);
--> statement-breakpoint
CREATE TABLE "lot_movements" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"transfer_id" text NOT NULL,
	"lot_id" text NOT NULL,
	"member_id" text NOT NULL,
	"kind" text NOT NULL,
	"amount" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lots" (
	"id" text PRIMARY KEY NOT NULL,
	"member_id" text NOT NULL,
	"transfer_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"remaining" bigint NOT NULL,
	"locked" bigint DEFAULT 0 NOT NULL,
	"spent" bigint DEFAULT 0 NOT NULL,
	"expired" bigint DEFAULT 0 NOT NULL,
	"reversed" bigint DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"activates_at" bigint NOT NULL,
	"expires_at" bigint,
	"spend_order" bigint NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "member_aliases" (
	"alias" text PRIMARY KEY NOT NULL,
	"member_id" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "members" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text,
	"phone" text,
	"first_name" text,
	"last_name" text,
	"birth_date" text,
	"locale" text,
	"consent_email" boolean DEFAULT false NOT NULL,
	"consent_sms" boolean DEFAULT false NOT NULL,
	"manual_tier" text,
	"attributes" text DEFAULT '{}' NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"erased_at" bigint
);
--> statement-breakpoint
CREATE TABLE "open_holds" (
	"transfer_id" text PRIMARY KEY NOT NULL,
	"member_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "transfers" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"fingerprint" text NOT NULL,
	"kind" text NOT NULL,
	"debit_account" text NOT NULL,
	"credit_account" text NOT NULL,
	"amount" bigint NOT NULL,
	"member_id" text NOT NULL,
	"pending" boolean DEFAULT false NOT NULL,
	"pending_id" text,
	"reverses_id" text,
	"lot_id" text,
	"timeout_at" bigint,
	"source" text NOT NULL,
	"rule_id" text,
	"event_id" text,
	"redemption_id" text,
	"actor" text,
	"reason" text,
	"metadata" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "lot_movements_transfer_idx" ON "lot_movements" USING btree ("transfer_id");--> statement-breakpoint
CREATE INDEX "lots_spend_order_idx" ON "lots" USING btree ("member_id","status","spend_order","created_at","id");--> statement-breakpoint
CREATE INDEX "lots_expiry_idx" ON "lots" USING btree ("expires_at") WHERE "lots"."status" = 'active' and "lots"."expires_at" is not null;--> statement-breakpoint
CREATE INDEX "lots_activation_idx" ON "lots" USING btree ("activates_at") WHERE "lots"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "member_aliases_member_idx" ON "member_aliases" USING btree ("member_id");--> statement-breakpoint
CREATE UNIQUE INDEX "members_email_uq" ON "members" USING btree ("email");--> statement-breakpoint
CREATE INDEX "open_holds_expiry_idx" ON "open_holds" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "open_holds_member_idx" ON "open_holds" USING btree ("member_id");--> statement-breakpoint
CREATE UNIQUE INDEX "transfers_id_uq" ON "transfers" USING btree ("id");--> statement-breakpoint
CREATE UNIQUE INDEX "transfers_idempotency_key_uq" ON "transfers" USING btree ("idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "transfers_pending_id_uq" ON "transfers" USING btree ("pending_id") WHERE "transfers"."pending_id" is not null;--> statement-breakpoint
CREATE INDEX "transfers_member_seq_idx" ON "transfers" USING btree ("member_id","seq");--> statement-breakpoint
CREATE INDEX "transfers_reverses_idx" ON "transfers" USING btree ("reverses_id") WHERE "transfers"."reverses_id" is not null;