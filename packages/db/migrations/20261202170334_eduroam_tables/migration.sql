CREATE TABLE "eduroam_probes" (
	"id" bigserial PRIMARY KEY,
	"server_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"ok" boolean NOT NULL,
	"rtt_ms" real,
	"outcome" text NOT NULL,
	"secret" text DEFAULT 'current' NOT NULL,
	"detail" text,
	CONSTRAINT "eduroam_probes_outcome" CHECK ("outcome" IN ('ok', 'timeout', 'error'))
);
--> statement-breakpoint
CREATE TABLE "eduroam_profiles" (
	"institution_id" uuid PRIMARY KEY,
	"names" jsonb,
	"info_urls" jsonb DEFAULT '[]' NOT NULL,
	"policy_urls" jsonb DEFAULT '[]' NOT NULL,
	"venue" text,
	"lon" double precision,
	"lat" double precision,
	"contact_public" boolean DEFAULT false NOT NULL,
	"production" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "eduroam_proxy_state" (
	"id" smallint PRIMARY KEY DEFAULT 1,
	"deployed_hash" text,
	"deployed_at" timestamp with time zone,
	"release" text,
	CONSTRAINT "eduroam_proxy_state_one" CHECK ("id" = 1)
);
--> statement-breakpoint
CREATE TABLE "eduroam_proxy_publications" (
	"id" bigserial PRIMARY KEY,
	"at" timestamp with time zone NOT NULL,
	"hash" text NOT NULL,
	"status" text NOT NULL,
	"release" text,
	"errors" jsonb DEFAULT '[]' NOT NULL,
	"check_ms" integer,
	"institutions" integer DEFAULT 0 NOT NULL,
	"servers" integer DEFAULT 0 NOT NULL,
	"realms" integer DEFAULT 0 NOT NULL,
	"request_id" text,
	CONSTRAINT "eduroam_publications_status" CHECK ("status" IN ('deployed', 'unchanged', 'refused', 'rolled_back', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "eduroam_realms" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"institution_id" uuid NOT NULL,
	"realm" text NOT NULL,
	"realm_key" text NOT NULL,
	"skeleton_key" text NOT NULL,
	"subrealms" boolean NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"proof" jsonb,
	"proved_at" timestamp with time zone,
	"request_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone,
	CONSTRAINT "eduroam_realms_state" CHECK ("state" IN ('pending', 'active', 'removed')),
	CONSTRAINT "eduroam_realms_lower" CHECK ("realm" ~ '^[a-z0-9][a-z0-9.-]*[a-z0-9]$'),
	CONSTRAINT "eduroam_realms_proved" CHECK ("state" <> 'active' OR "proved_at" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "eduroam_secrets" (
	"id" uuid PRIMARY KEY,
	"server_id" uuid NOT NULL,
	"sealed" text NOT NULL,
	"fingerprint" text NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"valid_until" timestamp with time zone,
	"activated_at" timestamp with time zone,
	"retired_at" timestamp with time zone,
	CONSTRAINT "eduroam_secrets_status" CHECK ("status" IN ('current', 'next', 'retired')),
	CONSTRAINT "eduroam_secrets_next_until" CHECK ("status" <> 'next' OR "valid_until" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "eduroam_servers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"institution_id" uuid NOT NULL,
	"name" text NOT NULL,
	"address" inet NOT NULL,
	"port" integer DEFAULT 1812 NOT NULL,
	"transport" text DEFAULT 'udp' NOT NULL,
	"state" text DEFAULT 'active' NOT NULL,
	"probe_state" text DEFAULT 'unknown' NOT NULL,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"last_probe_at" timestamp with time zone,
	"last_ok_at" timestamp with time zone,
	"first_ok_at" timestamp with time zone,
	"last_rtt_ms" real,
	"last_error" text,
	"down_request_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone,
	CONSTRAINT "eduroam_servers_state" CHECK ("state" IN ('active', 'removed')),
	CONSTRAINT "eduroam_servers_transport" CHECK ("transport" IN ('udp', 'tls')),
	CONSTRAINT "eduroam_servers_probe_state" CHECK ("probe_state" IN ('unknown', 'up', 'down')),
	CONSTRAINT "eduroam_servers_port" CHECK ("port" BETWEEN 1 AND 65535),
	CONSTRAINT "eduroam_servers_host" CHECK (masklen("address") = CASE WHEN family("address") = 4 THEN 32 ELSE 128 END)
);
--> statement-breakpoint
CREATE TABLE "eduroam_sites" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"institution_id" uuid NOT NULL,
	"membership_site_id" uuid,
	"names" jsonb NOT NULL,
	"street" jsonb NOT NULL,
	"city" jsonb NOT NULL,
	"lon" double precision NOT NULL,
	"lat" double precision NOT NULL,
	"ssid" text DEFAULT 'eduroam' NOT NULL,
	"encryption" text[] NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"access_points" integer NOT NULL,
	"wired_ports" integer DEFAULT 0 NOT NULL,
	"kind" smallint DEFAULT 0 NOT NULL,
	"venue" text,
	"availability" smallint DEFAULT 0 NOT NULL,
	"operation_hours" text,
	"operator_name" text,
	"info_urls" jsonb DEFAULT '[]' NOT NULL,
	"contact" jsonb,
	"production" boolean DEFAULT true NOT NULL,
	"state" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone,
	CONSTRAINT "eduroam_sites_state" CHECK ("state" IN ('active', 'removed')),
	CONSTRAINT "eduroam_sites_ssid" CHECK ("ssid" = 'eduroam'),
	CONSTRAINT "eduroam_sites_encryption" CHECK (cardinality("encryption") >= 1 AND "encryption" <@ ARRAY['WPA2/AES', 'WPA3/AES']::text[]),
	CONSTRAINT "eduroam_sites_tags" CHECK ("tags" <@ ARRAY['port_restrict', 'transp_proxy', 'IPv6', 'NAT', 'HS2.0']::text[]),
	CONSTRAINT "eduroam_sites_access_points" CHECK ("access_points" >= 1),
	CONSTRAINT "eduroam_sites_wired" CHECK ("wired_ports" >= 0),
	CONSTRAINT "eduroam_sites_kind" CHECK ("kind" BETWEEN 0 AND 2),
	CONSTRAINT "eduroam_sites_availability" CHECK ("availability" IN (0, 1)),
	CONSTRAINT "eduroam_sites_point" CHECK ("lon" BETWEEN -180 AND 180 AND "lat" BETWEEN -90 AND 90)
);
--> statement-breakpoint
CREATE INDEX "eduroam_probes_server_at" ON "eduroam_probes" ("server_id","at");--> statement-breakpoint
CREATE INDEX "eduroam_probes_at" ON "eduroam_probes" ("at");--> statement-breakpoint
CREATE INDEX "eduroam_publications_at" ON "eduroam_proxy_publications" ("at");--> statement-breakpoint
CREATE INDEX "eduroam_realms_institution" ON "eduroam_realms" ("institution_id","state");--> statement-breakpoint
CREATE UNIQUE INDEX "eduroam_secrets_fingerprint_key" ON "eduroam_secrets" ("fingerprint");--> statement-breakpoint
CREATE UNIQUE INDEX "eduroam_secrets_one_current" ON "eduroam_secrets" ("server_id") WHERE "status" = 'current';--> statement-breakpoint
CREATE UNIQUE INDEX "eduroam_secrets_one_next" ON "eduroam_secrets" ("server_id") WHERE "status" = 'next';--> statement-breakpoint
CREATE UNIQUE INDEX "eduroam_servers_address_key" ON "eduroam_servers" ("address") WHERE "state" <> 'removed';--> statement-breakpoint
CREATE INDEX "eduroam_servers_institution" ON "eduroam_servers" ("institution_id","state");--> statement-breakpoint
CREATE INDEX "eduroam_sites_institution" ON "eduroam_sites" ("institution_id","state");--> statement-breakpoint
ALTER TABLE "eduroam_probes" ADD CONSTRAINT "eduroam_probes_server_id_eduroam_servers_id_fkey" FOREIGN KEY ("server_id") REFERENCES "eduroam_servers"("id");--> statement-breakpoint
ALTER TABLE "eduroam_profiles" ADD CONSTRAINT "eduroam_profiles_institution_id_membership_institutions_id_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "eduroam_realms" ADD CONSTRAINT "eduroam_realms_institution_id_membership_institutions_id_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "eduroam_secrets" ADD CONSTRAINT "eduroam_secrets_server_id_eduroam_servers_id_fkey" FOREIGN KEY ("server_id") REFERENCES "eduroam_servers"("id");--> statement-breakpoint
ALTER TABLE "eduroam_servers" ADD CONSTRAINT "eduroam_servers_institution_id_membership_institutions_id_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "eduroam_sites" ADD CONSTRAINT "eduroam_sites_institution_id_membership_institutions_id_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "eduroam_sites" ADD CONSTRAINT "eduroam_sites_membership_site_id_membership_sites_id_fkey" FOREIGN KEY ("membership_site_id") REFERENCES "membership_sites"("id");