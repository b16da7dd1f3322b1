CREATE TABLE "routing_announcements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"institution_id" uuid NOT NULL,
	"prefix" cidr NOT NULL,
	"family" integer NOT NULL,
	"source" text NOT NULL,
	"assignment_id" uuid,
	"evidence" text,
	"accepted_by" text,
	"accepted_at" timestamp with time zone,
	"request_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "routing_announcements_source" CHECK ("source" IN ('ipam', 'pi')),
	CONSTRAINT "routing_announcements_family" CHECK ("family" IN (4, 6) AND family("prefix") = "family"),
	CONSTRAINT "routing_announcements_origin" CHECK (("source" = 'ipam' AND "assignment_id" IS NOT NULL AND "accepted_at" IS NULL) OR ("source" = 'pi' AND "assignment_id" IS NULL AND ("accepted_at" IS NULL) = ("accepted_by" IS NULL)))
);
--> statement-breakpoint
CREATE TABLE "routing_collectors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"name" text NOT NULL,
	"asn" bigint NOT NULL,
	"router_id" inet NOT NULL,
	"region" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "routing_collectors_asn" CHECK ("asn" BETWEEN 1 AND 4294967295),
	CONSTRAINT "routing_collectors_router_id" CHECK (family("router_id") = 4 AND masklen("router_id") = 32),
	CONSTRAINT "routing_collectors_name" CHECK ("name" ~ '^[A-Za-z][A-Za-z0-9_-]{0,62}$')
);
--> statement-breakpoint
CREATE TABLE "routing_configs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"collector_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"text" text NOT NULL,
	"hash" text NOT NULL,
	"bird_ok" boolean NOT NULL,
	"bird_errors" text[] DEFAULT '{}'::text[] NOT NULL,
	"rejected" text[] DEFAULT '{}'::text[] NOT NULL,
	"request_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "routing_configs_version" CHECK ("version" >= 1)
);
--> statement-breakpoint
CREATE TABLE "routing_pops" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"collector_id" uuid NOT NULL,
	"name" text NOT NULL,
	"city" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "routing_institutions" (
	"institution_id" uuid PRIMARY KEY,
	"collector_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"origin_as" bigint NOT NULL,
	"request_id" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "routing_institutions_origin_as" CHECK ("origin_as" BETWEEN 1 AND 4294967295)
);
--> statement-breakpoint
CREATE TABLE "routing_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"collector_id" uuid NOT NULL,
	"pop_id" uuid,
	"name" text NOT NULL,
	"peer_address" inet NOT NULL,
	"local_address" inet,
	"peer_asn" bigint NOT NULL,
	"import_limit" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "routing_sessions_asn" CHECK ("peer_asn" BETWEEN 1 AND 4294967295),
	CONSTRAINT "routing_sessions_import_limit" CHECK ("import_limit" BETWEEN 1 AND 1000000),
	CONSTRAINT "routing_sessions_name" CHECK ("name" ~ '^[a-z][a-z0-9_]{0,62}$'),
	CONSTRAINT "routing_sessions_addresses" CHECK (masklen("peer_address") = CASE family("peer_address") WHEN 4 THEN 32 ELSE 128 END AND ("local_address" IS NULL OR family("local_address") = family("peer_address")))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "routing_announcements_key" ON "routing_announcements" ("institution_id","prefix");--> statement-breakpoint
CREATE INDEX "routing_announcements_prefix_gist" ON "routing_announcements" USING gist ("prefix" inet_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "routing_collectors_name_key" ON "routing_collectors" (lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "routing_configs_version_key" ON "routing_configs" ("collector_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "routing_pops_name_key" ON "routing_pops" ("collector_id","name");--> statement-breakpoint
CREATE INDEX "routing_institutions_session" ON "routing_institutions" ("session_id");--> statement-breakpoint
CREATE INDEX "routing_institutions_collector" ON "routing_institutions" ("collector_id");--> statement-breakpoint
CREATE UNIQUE INDEX "routing_sessions_name_key" ON "routing_sessions" ("collector_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "routing_sessions_collector_key" ON "routing_sessions" ("collector_id","id");--> statement-breakpoint
ALTER TABLE "routing_announcements" ADD CONSTRAINT "routing_announcements_HHmCGQ7a65Tl_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "routing_configs" ADD CONSTRAINT "routing_configs_collector_id_routing_collectors_id_fkey" FOREIGN KEY ("collector_id") REFERENCES "routing_collectors"("id");--> statement-breakpoint
ALTER TABLE "routing_pops" ADD CONSTRAINT "routing_pops_collector_id_routing_collectors_id_fkey" FOREIGN KEY ("collector_id") REFERENCES "routing_collectors"("id");--> statement-breakpoint
ALTER TABLE "routing_institutions" ADD CONSTRAINT "routing_institutions_wFj00hAw246q_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "routing_sessions" ADD CONSTRAINT "routing_sessions_collector_id_routing_collectors_id_fkey" FOREIGN KEY ("collector_id") REFERENCES "routing_collectors"("id");--> statement-breakpoint
ALTER TABLE "routing_sessions" ADD CONSTRAINT "routing_sessions_pop_id_routing_pops_id_fkey" FOREIGN KEY ("pop_id") REFERENCES "routing_pops"("id");