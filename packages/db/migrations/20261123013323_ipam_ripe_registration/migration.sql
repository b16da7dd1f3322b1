CREATE TABLE "ipam_ripe_drift_reports" (
	"scope" text PRIMARY KEY,
	"checked_at" timestamp with time zone NOT NULL,
	"in_sync" boolean NOT NULL,
	"held" integer NOT NULL,
	"report" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ipam_assignments" ADD COLUMN "ripe_registered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "ipam_assignments" ADD COLUMN "ripe_last_error" text;