CREATE TABLE `activity_gap_months` (
	`day` integer NOT NULL,
	`prev_month` integer NOT NULL,
	`members` integer NOT NULL,
	PRIMARY KEY(`day`, `prev_month`)
);
--> statement-breakpoint
-- Existing databases: the roll-up of the gaps already counted (core/analytics/local-day.ts, monthOfDay).
INSERT INTO `activity_gap_months` (`day`, `prev_month`, `members`)
SELECT `day`, `prev_month`, sum(`members`) FROM (
  SELECT `day`, CASE WHEN `prev_day` < 0 THEN -1
    ELSE (CAST(strftime('%Y', `prev_day` * 86400, 'unixepoch') AS integer) - 1970) * 12 + CAST(strftime('%m', `prev_day` * 86400, 'unixepoch') AS integer) - 1
  END AS `prev_month`, `members`
  FROM `activity_gaps`
)
GROUP BY `day`, `prev_month`;
