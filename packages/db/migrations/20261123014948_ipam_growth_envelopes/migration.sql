ALTER TABLE "ipam_pools" ADD COLUMN "growth_length" smallint;--> statement-breakpoint
ALTER TABLE "ipam_reservations" ADD COLUMN "envelope" cidr;--> statement-breakpoint
CREATE INDEX "ipam_reservations_growth" ON "ipam_reservations" ("pool_id","institution_id") WHERE "kind" = 'growth' AND "released_at" IS NULL;--> statement-breakpoint
ALTER TABLE "ipam_pools" ADD CONSTRAINT "ipam_pools_growth_length" CHECK ("growth_length" IS NULL OR "growth_length" BETWEEN masklen("prefix") AND CASE "family" WHEN 4 THEN 32 ELSE 128 END);--> statement-breakpoint
ALTER TABLE "ipam_reservations" ADD CONSTRAINT "ipam_reservations_envelope" CHECK (("envelope" IS NULL OR ("kind" = 'growth' AND "envelope" >>= "prefix")));