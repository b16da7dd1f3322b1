CREATE TABLE "antispam_bind_secrets" (
	"id" uuid PRIMARY KEY,
	"institution_id" uuid NOT NULL,
	"sealed" text NOT NULL,
	"onboarding_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "antispam_domains" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"institution_id" uuid NOT NULL,
	"onboarding_id" uuid NOT NULL,
	"domain" text NOT NULL,
	"state" text DEFAULT 'requested' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "antispam_onboardings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"institution_id" uuid NOT NULL,
	"request_id" uuid NOT NULL,
	"directory" jsonb NOT NULL,
	"bind_secret_id" uuid NOT NULL,
	"allow_plain_ldap" boolean DEFAULT false NOT NULL,
	"next_hops" jsonb NOT NULL,
	"known_address" text NOT NULL,
	"unknown_address" text NOT NULL,
	"state" text DEFAULT 'testing' NOT NULL,
	"findings" jsonb DEFAULT '[]' NOT NULL,
	"tested_at" timestamp with time zone,
	"test_ms" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "antispam_publications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"hash" text NOT NULL,
	"status" text NOT NULL,
	"errors" jsonb DEFAULT '[]' NOT NULL,
	"domains" integer NOT NULL,
	"check_ms" integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX "antispam_domains_live" ON "antispam_domains" ("domain") WHERE state <> 'withdrawn';--> statement-breakpoint
CREATE INDEX "antispam_domains_institution" ON "antispam_domains" ("institution_id");--> statement-breakpoint
CREATE INDEX "antispam_onboardings_institution" ON "antispam_onboardings" ("institution_id","created_at");--> statement-breakpoint
ALTER TABLE "antispam_bind_secrets" ADD CONSTRAINT "antispam_bind_secrets_C2Lfm2gdx0Mb_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "antispam_domains" ADD CONSTRAINT "antispam_domains_institution_id_membership_institutions_id_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "antispam_domains" ADD CONSTRAINT "antispam_domains_onboarding_id_antispam_onboardings_id_fkey" FOREIGN KEY ("onboarding_id") REFERENCES "antispam_onboardings"("id");--> statement-breakpoint
ALTER TABLE "antispam_onboardings" ADD CONSTRAINT "antispam_onboardings_lCvyICKgbR3q_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "antispam_onboardings" ADD CONSTRAINT "antispam_onboardings_97IZNGzGRamp_fkey" FOREIGN KEY ("bind_secret_id") REFERENCES "antispam_bind_secrets"("id");