CREATE TABLE "expiring_points" (
	"member_id" text NOT NULL,
	"day" bigint NOT NULL,
	"points" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	CONSTRAINT "expiring_points_member_id_day_pk" PRIMARY KEY("member_id","day")
);
--> statement-breakpoint
-- Existing databases: the aggregate of the lots already there (core/ledger/expiring-points.ts).
INSERT INTO "expiring_points" ("member_id", "day", "points", "expires_at")
SELECT "member_id", "expires_at" / 86400000, sum("remaining" + "locked"), min("expires_at")
FROM "lots"
WHERE "status" = 'active' AND "expires_at" IS NOT NULL AND "remaining" + "locked" > 0
GROUP BY "member_id", "expires_at" / 86400000;
