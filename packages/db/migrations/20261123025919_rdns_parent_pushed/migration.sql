ALTER TABLE "rdns_parent_zones" ADD COLUMN "pushed_serial" bigint;--> statement-breakpoint
ALTER TABLE "rdns_parent_zones" ADD COLUMN "pushed_at" timestamp with time zone;