CREATE TABLE "membership_agreement_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"institution_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"status" text NOT NULL,
	"convention_ref" text NOT NULL,
	"charter_ref" text NOT NULL,
	"security_contact_id" uuid,
	"bandwidth_mbps" integer NOT NULL,
	"secondary_site_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"services" text[] DEFAULT '{}'::text[] NOT NULL,
	"document_hash" text,
	"signed_by_contact_id" uuid,
	"signed_by_name" text,
	"signed_at" timestamp with time zone,
	"activated_by" text,
	"activated_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_agreement_status" CHECK ("status" IN ('draft', 'signed', 'active', 'superseded', 'withdrawn')),
	CONSTRAINT "membership_agreement_bandwidth" CHECK ("bandwidth_mbps" > 0),
	CONSTRAINT "membership_agreement_services" CHECK ("services" <@ ARRAY['eduroam', 'federation', 'antispam', 'domains', 'circuits', 'ipam', 'rdns', 'routing']::text[]),
	CONSTRAINT "membership_agreement_signature" CHECK (("status" IN ('draft', 'withdrawn')) OR ("document_hash" IS NOT NULL AND "signed_at" IS NOT NULL AND "signed_by_name" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "membership_contact_roles" (
	"contact_id" uuid,
	"institution_id" uuid NOT NULL,
	"role" text,
	"slot" smallint DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_contact_roles_pkey" PRIMARY KEY("contact_id","role"),
	CONSTRAINT "membership_contact_roles_role" CHECK ("role" IN ('head', 'technical', 'security', 'service', 'administrative', 'eduroam', 'federation')),
	CONSTRAINT "membership_contact_roles_slot" CHECK ("slot" = 1 OR ("role" = 'federation' AND "slot" = 2))
);
--> statement-breakpoint
CREATE TABLE "membership_contacts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"institution_id" uuid NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"phone" text,
	"eppn" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "membership_institutions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"name" text NOT NULL,
	"short_name" text NOT NULL,
	"kind" text NOT NULL,
	"siren" text NOT NULL,
	"siret" text,
	"collector" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "membership_institutions_kind" CHECK ("kind" IN ('tutelle', 'contrat')),
	CONSTRAINT "membership_institutions_status" CHECK ("status" IN ('active', 'closed')),
	CONSTRAINT "membership_institutions_siren" CHECK ("siren" ~ '^[0-9]{9}$'),
	CONSTRAINT "membership_institutions_siret" CHECK ("siret" IS NULL OR ("siret" ~ '^[0-9]{14}$' AND left("siret", 9) = "siren"))
);
--> statement-breakpoint
CREATE TABLE "membership_sites" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"institution_id" uuid NOT NULL,
	"name" text NOT NULL,
	"address" text NOT NULL,
	"city" text NOT NULL,
	"main" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "membership_agreement_version_key" ON "membership_agreement_versions" ("institution_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "membership_agreement_one_active" ON "membership_agreement_versions" ("institution_id") WHERE "status" = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "membership_agreement_one_pending" ON "membership_agreement_versions" ("institution_id") WHERE "status" IN ('draft', 'signed');--> statement-breakpoint
CREATE UNIQUE INDEX "membership_contact_roles_federation_slots" ON "membership_contact_roles" ("institution_id","slot") WHERE "role" = 'federation';--> statement-breakpoint
CREATE INDEX "membership_contact_roles_institution" ON "membership_contact_roles" ("institution_id","role");--> statement-breakpoint
CREATE UNIQUE INDEX "membership_contacts_eppn_key" ON "membership_contacts" ("eppn") WHERE "removed_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "membership_contacts_email_key" ON "membership_contacts" ("institution_id",lower("email")) WHERE "removed_at" IS NULL;--> statement-breakpoint
CREATE INDEX "membership_contacts_institution" ON "membership_contacts" ("institution_id");--> statement-breakpoint
CREATE UNIQUE INDEX "membership_contacts_id_institution" ON "membership_contacts" ("id","institution_id");--> statement-breakpoint
CREATE UNIQUE INDEX "membership_institutions_siren_key" ON "membership_institutions" ("siren");--> statement-breakpoint
CREATE UNIQUE INDEX "membership_institutions_short_name_key" ON "membership_institutions" (lower("short_name"));--> statement-breakpoint
CREATE UNIQUE INDEX "membership_sites_name_key" ON "membership_sites" ("institution_id",lower("name")) WHERE "removed_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "membership_sites_one_main" ON "membership_sites" ("institution_id") WHERE "main" AND "removed_at" IS NULL;--> statement-breakpoint
ALTER TABLE "membership_agreement_versions" ADD CONSTRAINT "membership_agreement_versions_GUGiEUNPMIrD_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "membership_agreement_versions" ADD CONSTRAINT "membership_agreement_versions_ywaUcC123JLy_fkey" FOREIGN KEY ("security_contact_id") REFERENCES "membership_contacts"("id");--> statement-breakpoint
ALTER TABLE "membership_agreement_versions" ADD CONSTRAINT "membership_agreement_versions_oThmu3smvJzG_fkey" FOREIGN KEY ("signed_by_contact_id") REFERENCES "membership_contacts"("id");--> statement-breakpoint
ALTER TABLE "membership_contact_roles" ADD CONSTRAINT "membership_contact_roles_OaPDtoQSdU0f_fkey" FOREIGN KEY ("contact_id","institution_id") REFERENCES "membership_contacts"("id","institution_id");--> statement-breakpoint
ALTER TABLE "membership_contacts" ADD CONSTRAINT "membership_contacts_0XIHlkDoCElO_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "membership_sites" ADD CONSTRAINT "membership_sites_institution_id_membership_institutions_id_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");