ALTER TABLE "ipam_pools" ADD COLUMN "retired_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "ipam_pools" ADD COLUMN "retired_reason" text;--> statement-breakpoint
DROP INDEX "ipam_pools_prefix_key";--> statement-breakpoint
CREATE UNIQUE INDEX "ipam_pools_prefix_key" ON "ipam_pools" ("prefix") WHERE "retired_at" IS NULL;--> statement-breakpoint
ALTER TABLE "ipam_pools" ADD CONSTRAINT "ipam_pools_retired" CHECK (("retired_at" IS NULL) = ("retired_reason" IS NULL));