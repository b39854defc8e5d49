CREATE TABLE `connector_state` (
	`connector` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`connector`, `key`)
);
