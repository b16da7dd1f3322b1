CREATE TABLE "antispam_list_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"institution_id" uuid NOT NULL,
	"list" text NOT NULL,
	"entry" text NOT NULL,
	"report_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "antispam_list_entries_list" CHECK ("list" IN ('allow', 'deny'))
);
--> statement-breakpoint
CREATE TABLE "antispam_reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"institution_id" uuid NOT NULL,
	"request_id" uuid,
	"kind" text NOT NULL,
	"message" text NOT NULL,
	"sender" text,
	"subject" text,
	"score" double precision,
	"action" text,
	"symbols" jsonb,
	"state" text DEFAULT 'filed' NOT NULL,
	"learned_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "antispam_reports_kind" CHECK ("kind" IN ('false-positive', 'false-negative'))
);
--> statement-breakpoint
CREATE TABLE "antispam_settings" (
	"scope" text PRIMARY KEY,
	"institution_id" uuid,
	"domain" text,
	"add_header" double precision,
	"rewrite_subject" double precision,
	"reject" double precision,
	"tag_subject" boolean,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "antispam_settings_scope" CHECK ("scope" = CASE WHEN "institution_id" IS NULL THEN CASE WHEN "domain" IS NULL THEN 'global' END WHEN "domain" IS NULL THEN 'institution:' || "institution_id"::text ELSE 'domain:' || "institution_id"::text || ':' || "domain" END),
	CONSTRAINT "antispam_settings_range" CHECK (coalesce("add_header", 0) BETWEEN 0 AND 1000 AND coalesce("rewrite_subject", 0) BETWEEN 0 AND 1000 AND coalesce("reject", 0) BETWEEN 0 AND 1000)
);
--> statement-breakpoint
ALTER TABLE "antispam_domains" ADD COLUMN "mx" jsonb;--> statement-breakpoint
ALTER TABLE "antispam_domains" ADD COLUMN "mx_checked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "antispam_publications" ADD COLUMN "target" text DEFAULT 'postfix' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "antispam_list_entries_entry" ON "antispam_list_entries" ("institution_id","entry");--> statement-breakpoint
CREATE INDEX "antispam_reports_institution" ON "antispam_reports" ("institution_id","created_at");--> statement-breakpoint
ALTER TABLE "antispam_list_entries" ADD CONSTRAINT "antispam_list_entries_1BgQ9vHo1zHx_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "antispam_reports" ADD CONSTRAINT "antispam_reports_institution_id_membership_institutions_id_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "antispam_settings" ADD CONSTRAINT "antispam_settings_BHTO67NF6l5V_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");