-- Custom SQL migration file, put your code below! --
-- A retired pool (retirePool) keeps its row for the history of what was assigned from it, but
-- no longer holds space: siblings may overlap it, and its prefix may be declared again.
ALTER TABLE "ipam_pools" DROP CONSTRAINT "ipam_pools_no_overlap_0";--> statement-breakpoint
ALTER TABLE "ipam_pools" DROP CONSTRAINT "ipam_pools_no_overlap_1";--> statement-breakpoint
ALTER TABLE "ipam_pools" DROP CONSTRAINT "ipam_pools_no_overlap_2";--> statement-breakpoint
ALTER TABLE "ipam_pools" DROP CONSTRAINT "ipam_pools_no_overlap_3";--> statement-breakpoint
ALTER TABLE "ipam_pools" ADD CONSTRAINT "ipam_pools_no_overlap_0" EXCLUDE USING gist ("prefix" inet_ops WITH &&) WHERE ("depth" = 0 AND "retired_at" IS NULL);--> statement-breakpoint
ALTER TABLE "ipam_pools" ADD CONSTRAINT "ipam_pools_no_overlap_1" EXCLUDE USING gist ("prefix" inet_ops WITH &&) WHERE ("depth" = 1 AND "retired_at" IS NULL);--> statement-breakpoint
ALTER TABLE "ipam_pools" ADD CONSTRAINT "ipam_pools_no_overlap_2" EXCLUDE USING gist ("prefix" inet_ops WITH &&) WHERE ("depth" = 2 AND "retired_at" IS NULL);--> statement-breakpoint
ALTER TABLE "ipam_pools" ADD CONSTRAINT "ipam_pools_no_overlap_3" EXCLUDE USING gist ("prefix" inet_ops WITH &&) WHERE ("depth" = 3 AND "retired_at" IS NULL);
