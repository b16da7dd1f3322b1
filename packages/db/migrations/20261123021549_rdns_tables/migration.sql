CREATE TABLE "rdns_checks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"delegation_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"findings" jsonb NOT NULL,
	"blocking" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rdns_delegations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"zone" text NOT NULL,
	"prefix" cidr NOT NULL,
	"institution_id" uuid NOT NULL,
	"assignment_id" uuid NOT NULL,
	"parent_zone_id" uuid,
	"nameservers" jsonb NOT NULL,
	"ds" jsonb DEFAULT '[]' NOT NULL,
	"state" text DEFAULT 'requested' NOT NULL,
	"request_id" uuid,
	"last_check_at" timestamp with time zone,
	"last_findings" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	"withdrawn_at" timestamp with time zone,
	CONSTRAINT "rdns_delegations_state" CHECK ("state" IN ('requested', 'checking', 'published', 'lame', 'withdrawn')),
	CONSTRAINT "rdns_delegations_withdrawn" CHECK (("state" = 'withdrawn') = ("withdrawn_at" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "rdns_parent_zone_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"parent_zone_id" uuid NOT NULL,
	"serial" bigint NOT NULL,
	"text" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rdns_parent_zone_versions_serial" CHECK ("serial" BETWEEN 1 AND 4294967295)
);
--> statement-breakpoint
CREATE TABLE "rdns_parent_zones" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"zone" text NOT NULL,
	"prefix" cidr NOT NULL,
	"server_address" inet NOT NULL,
	"server_port" integer DEFAULT 53 NOT NULL,
	"mname" text NOT NULL,
	"rname" text NOT NULL,
	"nameservers" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rdns_parent_zones_port" CHECK ("server_port" BETWEEN 1 AND 65535),
	CONSTRAINT "rdns_parent_zones_zone" CHECK ("zone" ~* '(in-addr|ip6)\.arpa$')
);
--> statement-breakpoint
CREATE INDEX "rdns_checks_delegation" ON "rdns_checks" ("delegation_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "rdns_delegations_live_zone_key" ON "rdns_delegations" (lower("zone")) WHERE "state" <> 'withdrawn';--> statement-breakpoint
CREATE INDEX "rdns_delegations_institution" ON "rdns_delegations" ("institution_id","state");--> statement-breakpoint
CREATE INDEX "rdns_delegations_assignment" ON "rdns_delegations" ("assignment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "rdns_parent_zone_versions_serial_key" ON "rdns_parent_zone_versions" ("parent_zone_id","serial");--> statement-breakpoint
CREATE UNIQUE INDEX "rdns_parent_zones_zone_key" ON "rdns_parent_zones" (lower("zone"));--> statement-breakpoint
ALTER TABLE "rdns_checks" ADD CONSTRAINT "rdns_checks_delegation_id_rdns_delegations_id_fkey" FOREIGN KEY ("delegation_id") REFERENCES "rdns_delegations"("id");--> statement-breakpoint
ALTER TABLE "rdns_delegations" ADD CONSTRAINT "rdns_delegations_institution_id_membership_institutions_id_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "rdns_delegations" ADD CONSTRAINT "rdns_delegations_assignment_id_ipam_assignments_id_fkey" FOREIGN KEY ("assignment_id") REFERENCES "ipam_assignments"("id");--> statement-breakpoint
ALTER TABLE "rdns_delegations" ADD CONSTRAINT "rdns_delegations_parent_zone_id_rdns_parent_zones_id_fkey" FOREIGN KEY ("parent_zone_id") REFERENCES "rdns_parent_zones"("id");--> statement-breakpoint
ALTER TABLE "rdns_parent_zone_versions" ADD CONSTRAINT "rdns_parent_zone_versions_BI38Fi2NcuaG_fkey" FOREIGN KEY ("parent_zone_id") REFERENCES "rdns_parent_zones"("id");