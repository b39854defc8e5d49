CREATE TABLE `deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`route` text NOT NULL,
	`adapter` text NOT NULL,
	`payload` text NOT NULL,
	`member_id` text,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`lease_until` integer,
	`last_status_code` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_event_route_uq` ON `deliveries` (`event_id`,`route`);--> statement-breakpoint
CREATE INDEX `deliveries_due_idx` ON `deliveries` (`next_attempt_at`) WHERE "deliveries"."status" = 'pending';--> statement-breakpoint
CREATE INDEX `deliveries_status_idx` ON `deliveries` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `delivery_attempts` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`delivery_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`outcome` text NOT NULL,
	`status_code` integer,
	`latency_ms` integer NOT NULL,
	`error` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `delivery_attempts_delivery_idx` ON `delivery_attempts` (`delivery_id`,`seq`);--> statement-breakpoint
CREATE TABLE `loyalty_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`type` text NOT NULL,
	`member_id` text,
	`data` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`routed_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `loyalty_events_id_uq` ON `loyalty_events` (`id`);--> statement-breakpoint
CREATE INDEX `loyalty_events_unrouted_idx` ON `loyalty_events` (`seq`) WHERE "loyalty_events"."routed_at" is null;