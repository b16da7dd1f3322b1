CREATE TABLE "ipam_assignments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"pool_id" uuid NOT NULL,
	"institution_id" uuid NOT NULL,
	"site_id" uuid,
	"family" smallint NOT NULL,
	"prefix" cidr NOT NULL,
	"status" text NOT NULL,
	"lifecycle" text NOT NULL,
	"purpose" text NOT NULL,
	"justification" text,
	"request_id" uuid,
	"netname" text NOT NULL,
	"country" text NOT NULL,
	"admin_c" text[] DEFAULT '{}'::text[] NOT NULL,
	"tech_c" text[] DEFAULT '{}'::text[] NOT NULL,
	"mnt_by" text[] DEFAULT '{}'::text[] NOT NULL,
	"source" text DEFAULT 'RIPE' NOT NULL,
	"descr" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_at" timestamp with time zone,
	"returned_at" timestamp with time zone,
	"quarantine_until" timestamp with time zone,
	"freed_at" timestamp with time zone,
	CONSTRAINT "ipam_assignments_family" CHECK ("family" IN (4, 6) AND family("prefix") = "family"),
	CONSTRAINT "ipam_assignments_status" CHECK ("status" IN ('ASSIGNED PA', 'ASSIGNED')),
	CONSTRAINT "ipam_assignments_lifecycle" CHECK ("lifecycle" IN ('reserved', 'active', 'returned', 'quarantined', 'free')),
	CONSTRAINT "ipam_assignments_quarantine" CHECK (("lifecycle" = 'quarantined') = ("quarantine_until" IS NOT NULL AND "freed_at" IS NULL) OR "lifecycle" = 'free')
);
--> statement-breakpoint
CREATE TABLE "ipam_free_blocks" (
	"pool_id" uuid NOT NULL,
	"prefix" cidr NOT NULL,
	"masklen" smallint NOT NULL,
	CONSTRAINT "ipam_free_blocks_masklen" CHECK ("masklen" = masklen("prefix"))
);
--> statement-breakpoint
CREATE TABLE "ipam_pools" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"name" text NOT NULL,
	"family" smallint NOT NULL,
	"prefix" cidr NOT NULL,
	"parent_id" uuid,
	"depth" smallint DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"assignment_size" smallint,
	"purpose" text NOT NULL,
	"strategy" text NOT NULL,
	"unit_length" smallint NOT NULL,
	"size_units" bigint NOT NULL,
	"used_units" bigint DEFAULT 0 NOT NULL,
	"reserved_units" bigint DEFAULT 0 NOT NULL,
	"assignment_count" integer DEFAULT 0 NOT NULL,
	"netname" text,
	"country" text,
	"admin_c" text[] DEFAULT '{}'::text[] NOT NULL,
	"tech_c" text[] DEFAULT '{}'::text[] NOT NULL,
	"mnt_by" text[] DEFAULT '{}'::text[] NOT NULL,
	"source" text DEFAULT 'RIPE' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ipam_pools_family" CHECK ("family" IN (4, 6) AND family("prefix") = "family"),
	CONSTRAINT "ipam_pools_depth" CHECK ("depth" BETWEEN 0 AND 3 AND ("depth" = 0) = ("parent_id" IS NULL)),
	CONSTRAINT "ipam_pools_status" CHECK ("status" IN ('ALLOCATED PA', 'LIR-PARTITIONED PA', 'SUB-ALLOCATED PA', 'ALLOCATED-BY-RIR', 'ALLOCATED-BY-LIR', 'AGGREGATED-BY-LIR')),
	CONSTRAINT "ipam_pools_assignment_size" CHECK ("assignment_size" IS NULL OR ("status" = 'AGGREGATED-BY-LIR' AND "assignment_size" > masklen("prefix") AND "assignment_size" <= CASE "family" WHEN 4 THEN 32 ELSE 128 END)),
	CONSTRAINT "ipam_pools_strategy" CHECK ("strategy" IN ('best_fit', 'sparse', 'first_fit', 'last_fit')),
	CONSTRAINT "ipam_pools_counters" CHECK ("used_units" >= 0 AND "reserved_units" >= 0 AND "assignment_count" >= 0)
);
--> statement-breakpoint
CREATE TABLE "ipam_reservations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"pool_id" uuid NOT NULL,
	"family" smallint NOT NULL,
	"prefix" cidr NOT NULL,
	"kind" text NOT NULL,
	"institution_id" uuid,
	"assignment_id" uuid,
	"reason" text NOT NULL,
	"expires_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"released_at" timestamp with time zone,
	CONSTRAINT "ipam_reservations_kind" CHECK ("kind" IN ('growth', 'hold')),
	CONSTRAINT "ipam_reservations_family" CHECK (family("prefix") = "family")
);
--> statement-breakpoint
CREATE INDEX "ipam_assignments_institution" ON "ipam_assignments" ("institution_id","lifecycle");--> statement-breakpoint
CREATE INDEX "ipam_assignments_pool" ON "ipam_assignments" ("pool_id");--> statement-breakpoint
CREATE INDEX "ipam_assignments_quarantine_due" ON "ipam_assignments" ("quarantine_until") WHERE "lifecycle" = 'quarantined';--> statement-breakpoint
CREATE UNIQUE INDEX "ipam_free_blocks_key" ON "ipam_free_blocks" ("pool_id","prefix");--> statement-breakpoint
CREATE INDEX "ipam_free_blocks_by_size" ON "ipam_free_blocks" ("pool_id","masklen","prefix");--> statement-breakpoint
CREATE UNIQUE INDEX "ipam_pools_prefix_key" ON "ipam_pools" ("prefix");--> statement-breakpoint
CREATE INDEX "ipam_pools_parent" ON "ipam_pools" ("parent_id");--> statement-breakpoint
CREATE INDEX "ipam_pools_prefix_gist" ON "ipam_pools" USING gist ("prefix" inet_ops);--> statement-breakpoint
CREATE INDEX "ipam_reservations_pool" ON "ipam_reservations" ("pool_id");--> statement-breakpoint
CREATE INDEX "ipam_reservations_expiry" ON "ipam_reservations" ("expires_at") WHERE "released_at" IS NULL;--> statement-breakpoint
ALTER TABLE "ipam_assignments" ADD CONSTRAINT "ipam_assignments_pool_id_ipam_pools_id_fkey" FOREIGN KEY ("pool_id") REFERENCES "ipam_pools"("id");--> statement-breakpoint
ALTER TABLE "ipam_assignments" ADD CONSTRAINT "ipam_assignments_institution_id_membership_institutions_id_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "ipam_assignments" ADD CONSTRAINT "ipam_assignments_site_id_membership_sites_id_fkey" FOREIGN KEY ("site_id") REFERENCES "membership_sites"("id");--> statement-breakpoint
ALTER TABLE "ipam_free_blocks" ADD CONSTRAINT "ipam_free_blocks_pool_id_ipam_pools_id_fkey" FOREIGN KEY ("pool_id") REFERENCES "ipam_pools"("id");--> statement-breakpoint
ALTER TABLE "ipam_reservations" ADD CONSTRAINT "ipam_reservations_pool_id_ipam_pools_id_fkey" FOREIGN KEY ("pool_id") REFERENCES "ipam_pools"("id");--> statement-breakpoint
ALTER TABLE "ipam_reservations" ADD CONSTRAINT "ipam_reservations_fFg0F14PYHbD_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "ipam_reservations" ADD CONSTRAINT "ipam_reservations_assignment_id_ipam_assignments_id_fkey" FOREIGN KEY ("assignment_id") REFERENCES "ipam_assignments"("id");