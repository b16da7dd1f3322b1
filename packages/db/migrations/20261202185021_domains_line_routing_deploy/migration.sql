CREATE TABLE "domains_domains" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"institution_id" uuid NOT NULL,
	"name" text NOT NULL,
	"u_name" text NOT NULL,
	"zone" text NOT NULL,
	"state" text DEFAULT 'requested' NOT NULL,
	"holder" jsonb NOT NULL,
	"admin_contact_id" uuid NOT NULL,
	"tech_contact_ids" uuid[] NOT NULL,
	"nameservers" jsonb NOT NULL,
	"ds" jsonb DEFAULT '[]' NOT NULL,
	"period_years" integer NOT NULL,
	"price_cents" integer NOT NULL,
	"pricing" text NOT NULL,
	"auth_info_sealed" text,
	"expires_at" timestamp with time zone,
	"redemption_until" timestamp with time zone,
	"reminded_days" integer,
	"request_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "domains_domains_state" CHECK ("state" IN ('requested', 'provisioning', 'active', 'redemption', 'deleted')),
	CONSTRAINT "domains_domains_zone" CHECK ("zone" IN ('fr', 'prd.fr')),
	CONSTRAINT "domains_domains_name" CHECK ("name" = lower("name") AND "name" ~ '^[a-z0-9-]{1,63}\.(prd\.)?fr$'),
	CONSTRAINT "domains_domains_period" CHECK ("period_years" BETWEEN 1 AND 10),
	CONSTRAINT "domains_domains_price" CHECK (("pricing" IN ('tutelle', 'first-free') AND "price_cents" = 0) OR ("pricing" = 'contrat' AND "price_cents" = 7500)),
	CONSTRAINT "domains_domains_techs" CHECK (cardinality("tech_contact_ids") BETWEEN 1 AND 3)
);
--> statement-breakpoint
CREATE TABLE "domains_free_names" (
	"institution_id" uuid PRIMARY KEY,
	"domain_id" uuid NOT NULL CONSTRAINT "domains_free_names_domain_key" UNIQUE,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "domains_letters" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"request_id" uuid NOT NULL,
	"pass" integer NOT NULL,
	"text" text NOT NULL,
	"hash" text NOT NULL,
	"signed_by_contact_id" uuid,
	"signed_by_name" text,
	"signed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "domains_letters_hash" CHECK ("hash" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "domains_letters_signature" CHECK (("signed_at" IS NULL) = ("signed_by_name" IS NULL))
);
--> statement-breakpoint
CREATE TABLE "domains_poll_messages" (
	"id" bigserial PRIMARY KEY,
	"registry_id" text NOT NULL,
	"kind" text NOT NULL,
	"domain" text,
	"contact" text,
	"outcome" text,
	"text" text NOT NULL,
	"raw" text NOT NULL,
	"queued_at" timestamp with time zone,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"action" text NOT NULL,
	"acked_at" timestamp with time zone,
	CONSTRAINT "domains_poll_messages_kind" CHECK ("kind" IN ('qualification', 'zonecheck', 'transfer', 'trade', 'deletion', 'other'))
);
--> statement-breakpoint
CREATE TABLE "domains_prd_zone" (
	"zone" text PRIMARY KEY,
	"serial" bigint NOT NULL,
	"text" text,
	"rendered_at" timestamp with time zone,
	CONSTRAINT "domains_prd_zone_zone" CHECK ("zone" = 'prd.fr')
);
--> statement-breakpoint
ALTER TABLE "routing_collectors" ADD COLUMN "bird_config_path" text;--> statement-breakpoint
ALTER TABLE "routing_collectors" ADD COLUMN "bird_socket" text;--> statement-breakpoint
ALTER TABLE "routing_collectors" ADD COLUMN "needs_render" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "routing_configs" ADD COLUMN "deploy_status" text;--> statement-breakpoint
ALTER TABLE "routing_configs" ADD COLUMN "deploy_output" text;--> statement-breakpoint
ALTER TABLE "routing_configs" ADD COLUMN "deployed_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "domains_domains_live_name" ON "domains_domains" ("name") WHERE "state" <> 'deleted';--> statement-breakpoint
CREATE INDEX "domains_domains_institution" ON "domains_domains" ("institution_id","name");--> statement-breakpoint
CREATE INDEX "domains_domains_expiry" ON "domains_domains" ("expires_at") WHERE "state" = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "domains_letters_pass_key" ON "domains_letters" ("request_id","pass");--> statement-breakpoint
CREATE UNIQUE INDEX "domains_poll_messages_registry_key" ON "domains_poll_messages" ("registry_id");--> statement-breakpoint
ALTER TABLE "domains_domains" ADD CONSTRAINT "domains_domains_institution_id_membership_institutions_id_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "domains_domains" ADD CONSTRAINT "domains_domains_admin_contact_id_membership_contacts_id_fkey" FOREIGN KEY ("admin_contact_id") REFERENCES "membership_contacts"("id");--> statement-breakpoint
ALTER TABLE "domains_free_names" ADD CONSTRAINT "domains_free_names_Djl6KTlWs5Vv_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "domains_free_names" ADD CONSTRAINT "domains_free_names_domain_id_domains_domains_id_fkey" FOREIGN KEY ("domain_id") REFERENCES "domains_domains"("id");--> statement-breakpoint
ALTER TABLE "domains_letters" ADD CONSTRAINT "domains_letters_DMWop9NWS3Ui_fkey" FOREIGN KEY ("signed_by_contact_id") REFERENCES "membership_contacts"("id");--> statement-breakpoint
ALTER TABLE "routing_collectors" ADD CONSTRAINT "routing_collectors_deploy" CHECK (("bird_config_path" IS NULL) = ("bird_socket" IS NULL));--> statement-breakpoint
ALTER TABLE "routing_configs" ADD CONSTRAINT "routing_configs_deploy_status" CHECK ("deploy_status" IN ('deployed', 'failed', 'not-deployed'));