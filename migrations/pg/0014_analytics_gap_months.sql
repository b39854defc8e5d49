CREATE TABLE "activity_gap_months" (
	"day" integer NOT NULL,
	"prev_month" integer NOT NULL,
	"members" bigint NOT NULL,
	CONSTRAINT "activity_gap_months_day_prev_month_pk" PRIMARY KEY("day","prev_month")
);
--> statement-breakpoint
-- Existing databases: the roll-up of the gaps already counted (core/analytics/local-day.ts, monthOfDay).
INSERT INTO "activity_gap_months" ("day", "prev_month", "members")
SELECT "day", "prev_month", sum("members") FROM (
  SELECT "day", CASE WHEN "prev_day" < 0 THEN -1
    ELSE ((extract(year FROM date '1970-01-01' + "prev_day") - 1970) * 12 + extract(month FROM date '1970-01-01' + "prev_day") - 1)::integer
  END AS "prev_month", "members"
  FROM "activity_gaps"
) AS "g"
GROUP BY "day", "prev_month";
