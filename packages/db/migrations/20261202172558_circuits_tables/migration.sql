CREATE TABLE "circuits_devices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"pop_id" uuid NOT NULL,
	"name" text NOT NULL,
	"router_id" inet NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "circuits_devices_name" CHECK ("name" ~ '^[A-Za-z][A-Za-z0-9._-]{0,62}$'),
	CONSTRAINT "circuits_devices_router_id" CHECK (family("router_id") = 4 AND masklen("router_id") = 32)
);
--> statement-breakpoint
CREATE TABLE "circuits_handoffs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"regional_network_id" uuid NOT NULL,
	"port_id" uuid NOT NULL,
	"port_mode" text DEFAULT 'shared' NOT NULL,
	"name" text NOT NULL,
	"l2_mtu" integer NOT NULL,
	"translation" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "circuits_handoffs_port_mode" CHECK ("port_mode" = 'shared'),
	CONSTRAINT "circuits_handoffs_l2_mtu" CHECK ("l2_mtu" BETWEEN 1500 AND 16000)
);
--> statement-breakpoint
CREATE TABLE "circuits_pops" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"code" text NOT NULL,
	"name" text NOT NULL,
	"city" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "circuits_pops_code" CHECK ("code" ~ '^[A-Za-z][A-Za-z0-9-]{0,31}$')
);
--> statement-breakpoint
CREATE TABLE "circuits_ports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"device_id" uuid NOT NULL,
	"name" text NOT NULL,
	"speed_mbps" integer NOT NULL,
	"l2_mtu" integer NOT NULL,
	"mode" text NOT NULL,
	"capacity_mbps" integer NOT NULL,
	"reserved_mbps" integer DEFAULT 0 NOT NULL,
	"vlan_ranges" int4multirange DEFAULT '{}' NOT NULL,
	"vlan_free" int4multirange DEFAULT '{}' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "circuits_ports_id_mode_key" UNIQUE("id","mode"),
	CONSTRAINT "circuits_ports_speed" CHECK ("speed_mbps" IN (1000, 10000, 40000, 100000)),
	CONSTRAINT "circuits_ports_l2_mtu" CHECK ("l2_mtu" BETWEEN 1500 AND 16000),
	CONSTRAINT "circuits_ports_mode" CHECK ("mode" IN ('shared', 'dedicated')),
	CONSTRAINT "circuits_ports_capacity" CHECK ("capacity_mbps" BETWEEN 1 AND "speed_mbps"),
	CONSTRAINT "circuits_ports_reserved" CHECK ("reserved_mbps" BETWEEN 0 AND "capacity_mbps"),
	CONSTRAINT "circuits_ports_vlan_ranges" CHECK ("vlan_ranges" <@ int4multirange(int4range(1, 4094, '[]')) AND ("mode" = 'shared' OR "vlan_ranges" = '{}'::int4multirange)),
	CONSTRAINT "circuits_ports_vlan_free" CHECK ("vlan_free" <@ "vlan_ranges"),
	CONSTRAINT "circuits_ports_name" CHECK ("name" ~ '^[A-Za-z0-9][A-Za-z0-9/:._-]{0,62}$')
);
--> statement-breakpoint
CREATE TABLE "circuits_rd_administrators" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"type" smallint NOT NULL,
	"administrator" text NOT NULL,
	"rd_from" bigint NOT NULL,
	"rd_to" bigint NOT NULL,
	"rt_from" bigint NOT NULL,
	"rt_to" bigint NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "circuits_rd_administrators_type" CHECK ("type" IN (0, 1, 2)),
	CONSTRAINT "circuits_rd_administrators_ranges" CHECK (0 <= "rd_from" AND "rd_from" <= "rd_to" AND 0 <= "rt_from" AND "rt_from" <= "rt_to" AND greatest("rd_to", "rt_to") <= CASE "type" WHEN 0 THEN 4294967295 ELSE 65535 END)
);
--> statement-breakpoint
CREATE TABLE "circuits_regional_networks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"name" text NOT NULL,
	"operator" text NOT NULL,
	"l2_mtu" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "circuits_regional_networks_l2_mtu" CHECK ("l2_mtu" BETWEEN 1500 AND 16000),
	CONSTRAINT "circuits_regional_networks_name" CHECK ("name" ~ '^[A-Za-z][A-Za-z0-9_-]{0,31}$')
);
--> statement-breakpoint
CREATE TABLE "circuits_site_access" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"site_id" uuid NOT NULL,
	"port_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "circuits_attachments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"circuit_id" uuid NOT NULL,
	"endpoint_id" uuid NOT NULL,
	"path" text NOT NULL,
	"port_id" uuid NOT NULL,
	"port_mode" text NOT NULL,
	"use" text NOT NULL,
	"port_vid" integer,
	"reserved_mbps" integer NOT NULL,
	"tags" integer NOT NULL,
	"bgp_local" inet,
	"bgp_peer" inet,
	"peer_asn" bigint,
	"prefix_limit" integer,
	"bgp_multihop" boolean DEFAULT false NOT NULL,
	"bgp_local_port" integer,
	"bgp_peer_port" integer,
	"released_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "circuits_attachments_path" CHECK ("path" IN ('primary', 'backup')),
	CONSTRAINT "circuits_attachments_use" CHECK (("use" = 'vlan' AND "port_mode" = 'shared' AND "port_vid" IS NULL) OR ("use" = 'port' AND "port_mode" = 'dedicated')),
	CONSTRAINT "circuits_attachments_bgp_ports" CHECK (("bgp_local_port" IS NULL OR "bgp_local_port" BETWEEN 1 AND 65535) AND ("bgp_peer_port" IS NULL OR "bgp_peer_port" BETWEEN 1 AND 65535)),
	CONSTRAINT "circuits_attachments_port_vid" CHECK ("port_vid" IS NULL OR "port_vid" BETWEEN 1 AND 4094),
	CONSTRAINT "circuits_attachments_bgp" CHECK (("bgp_peer" IS NULL) = ("peer_asn" IS NULL) AND ("bgp_peer" IS NULL) = ("prefix_limit" IS NULL) AND ("bgp_peer" IS NULL OR family("bgp_peer") = 4) AND ("prefix_limit" IS NULL OR "prefix_limit" BETWEEN 1 AND 1000000))
);
--> statement-breakpoint
CREATE TABLE "circuits_circuits" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"number" serial,
	"institution_id" uuid NOT NULL,
	"request_id" uuid NOT NULL,
	"name" text NOT NULL,
	"topology" text NOT NULL,
	"service" text NOT NULL,
	"bandwidth_mbps" integer NOT NULL,
	"backup" boolean DEFAULT false NOT NULL,
	"ipv6" boolean DEFAULT false NOT NULL,
	"multicast" boolean DEFAULT false NOT NULL,
	"technology" text,
	"payload_mtu" integer,
	"state" text DEFAULT 'requested' NOT NULL,
	"wanted_from" timestamp with time zone,
	"wanted_until" timestamp with time zone,
	"designed_at" timestamp with time zone,
	"activated_at" timestamp with time zone,
	"terminated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "circuits_circuits_topology" CHECK ("topology" IN ('p2p', 'multipoint')),
	CONSTRAINT "circuits_circuits_service" CHECK ("service" IN ('ethernet', 'ip')),
	CONSTRAINT "circuits_circuits_technology" CHECK ("technology" IS NULL OR "technology" IN ('l2vpn_vlan', 'l2vpn_port', 'l3vpn', 'lambda')),
	CONSTRAINT "circuits_circuits_state" CHECK ("state" IN ('requested', 'provisioning', 'active', 'disabled', 'terminated')),
	CONSTRAINT "circuits_circuits_bandwidth" CHECK ("bandwidth_mbps" BETWEEN 1 AND 100000),
	CONSTRAINT "circuits_circuits_payload_mtu" CHECK ("payload_mtu" IS NULL OR "payload_mtu" BETWEEN 576 AND 16000),
	CONSTRAINT "circuits_circuits_designed" CHECK (("technology" IS NULL) = ("designed_at" IS NULL) AND ("state" <> 'requested' OR "technology" IS NULL) AND ("state" IN ('requested', 'terminated') OR "technology" IS NOT NULL)),
	CONSTRAINT "circuits_circuits_need" CHECK (("technology" IS NULL OR ("technology" = 'l3vpn') = ("service" = 'ip')) AND ("technology" IS NULL OR "technology" = 'l3vpn' OR "topology" = 'p2p') AND (NOT "backup" OR "topology" = 'p2p') AND ("topology" = 'p2p' OR "service" = 'ip'))
);
--> statement-breakpoint
CREATE TABLE "circuits_cvlans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"vlan_id" uuid NOT NULL,
	"cvid" integer NOT NULL,
	CONSTRAINT "circuits_cvlans_key" UNIQUE("vlan_id","cvid"),
	CONSTRAINT "circuits_cvlans_cvid" CHECK ("cvid" BETWEEN 1 AND 4094)
);
--> statement-breakpoint
CREATE TABLE "circuits_device_configs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"device_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"text" text NOT NULL,
	"hash" text NOT NULL,
	"bird_ok" boolean NOT NULL,
	"bird_errors" text[] DEFAULT '{}'::text[] NOT NULL,
	"request_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "circuits_device_configs_version_key" UNIQUE("device_id","version"),
	CONSTRAINT "circuits_device_configs_version" CHECK ("version" >= 1)
);
--> statement-breakpoint
CREATE TABLE "circuits_endpoints" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"circuit_id" uuid NOT NULL,
	"institution_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"consent" text NOT NULL,
	"consent_by" text,
	"consent_at" timestamp with time zone,
	"consent_reason" text,
	"prefix_limit" integer,
	"prefixes" cidr[] DEFAULT '{}'::cidr[] NOT NULL,
	"vlans" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"hub" boolean DEFAULT false NOT NULL,
	"request_id" uuid NOT NULL,
	"removed_at" timestamp with time zone,
	"removed_request_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "circuits_endpoints_consent" CHECK ("consent" IN ('own', 'pending', 'given', 'refused')),
	CONSTRAINT "circuits_endpoints_prefix_limit" CHECK ("prefix_limit" IS NULL OR "prefix_limit" BETWEEN 1 AND 1000000)
);
--> statement-breakpoint
CREATE TABLE "circuits_route_targets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"vpn_id" uuid NOT NULL,
	"vpn_topology" text NOT NULL,
	"role" text NOT NULL,
	"value" text NOT NULL,
	"administrator_id" uuid NOT NULL,
	"number" bigint NOT NULL,
	CONSTRAINT "circuits_route_targets_number_key" UNIQUE("administrator_id","number"),
	CONSTRAINT "circuits_route_targets_role_key" UNIQUE("vpn_id","role"),
	CONSTRAINT "circuits_route_targets_role" CHECK (("vpn_topology" = 'mesh' AND "role" = 'both') OR ("vpn_topology" = 'hub_and_spoke' AND "role" IN ('hub', 'spoke'))),
	CONSTRAINT "circuits_route_targets_value" CHECK (length("value") <= 21)
);
--> statement-breakpoint
CREATE TABLE "circuits_segments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"circuit_id" uuid NOT NULL,
	"attachment_id" uuid NOT NULL,
	"regional_network_id" uuid NOT NULL,
	"handoff_id" uuid NOT NULL,
	"provider_circuit_id" text,
	"operator_reference" text,
	"local_vid" integer NOT NULL,
	"remote_vid" integer NOT NULL,
	"extra_tags" integer DEFAULT 0 NOT NULL,
	"l2_mtu" integer NOT NULL,
	"state" text DEFAULT 'requested' NOT NULL,
	"ordered_at" timestamp with time zone,
	"ordered_by" text,
	"activated_at" timestamp with time zone,
	"activated_by" text,
	"terminated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "circuits_segments_provider_cid_key" UNIQUE("regional_network_id","provider_circuit_id"),
	CONSTRAINT "circuits_segments_state" CHECK ("state" IN ('requested', 'ordered', 'active', 'terminated')),
	CONSTRAINT "circuits_segments_vids" CHECK ("local_vid" BETWEEN 1 AND 4094 AND "remote_vid" BETWEEN 1 AND 4094),
	CONSTRAINT "circuits_segments_tags" CHECK ("extra_tags" BETWEEN 0 AND 2),
	CONSTRAINT "circuits_segments_l2_mtu" CHECK ("l2_mtu" BETWEEN 1500 AND 16000),
	CONSTRAINT "circuits_segments_active" CHECK ("state" NOT IN ('ordered', 'active') OR ("provider_circuit_id" IS NOT NULL AND "operator_reference" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "circuits_vlans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"port_id" uuid NOT NULL,
	"port_mode" text DEFAULT 'shared' NOT NULL,
	"vid" integer NOT NULL,
	"circuit_id" uuid NOT NULL,
	"attachment_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "circuits_vlans_port_vid_key" UNIQUE("port_id","vid"),
	CONSTRAINT "circuits_vlans_vid" CHECK ("vid" BETWEEN 1 AND 4094),
	CONSTRAINT "circuits_vlans_port_mode" CHECK ("port_mode" = 'shared')
);
--> statement-breakpoint
CREATE TABLE "circuits_vpns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"circuit_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"topology" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "circuits_vpns_id_topology_key" UNIQUE("id","topology"),
	CONSTRAINT "circuits_vpns_kind" CHECK ("kind" IN ('l2vpn', 'l3vpn')),
	CONSTRAINT "circuits_vpns_topology" CHECK ("topology" IN ('mesh', 'hub_and_spoke'))
);
--> statement-breakpoint
CREATE TABLE "circuits_vrfs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"vpn_id" uuid NOT NULL,
	"device_id" uuid NOT NULL,
	"rd" text NOT NULL,
	"administrator_id" uuid NOT NULL,
	"number" bigint NOT NULL,
	CONSTRAINT "circuits_vrfs_number_key" UNIQUE("administrator_id","number"),
	CONSTRAINT "circuits_vrfs_device_key" UNIQUE("vpn_id","device_id"),
	CONSTRAINT "circuits_vrfs_rd" CHECK (length("rd") <= 21)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "circuits_devices_name_key" ON "circuits_devices" (lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "circuits_devices_router_id_key" ON "circuits_devices" ("router_id");--> statement-breakpoint
CREATE UNIQUE INDEX "circuits_handoffs_port_key" ON "circuits_handoffs" ("port_id");--> statement-breakpoint
CREATE UNIQUE INDEX "circuits_handoffs_name_key" ON "circuits_handoffs" ("regional_network_id",lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "circuits_pops_code_key" ON "circuits_pops" (lower("code"));--> statement-breakpoint
CREATE UNIQUE INDEX "circuits_ports_name_key" ON "circuits_ports" ("device_id",lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "circuits_rd_administrators_active_key" ON "circuits_rd_administrators" ("active") WHERE "active";--> statement-breakpoint
CREATE UNIQUE INDEX "circuits_regional_networks_name_key" ON "circuits_regional_networks" (lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "circuits_site_access_key" ON "circuits_site_access" ("site_id","port_id");--> statement-breakpoint
CREATE INDEX "circuits_site_access_port" ON "circuits_site_access" ("port_id");--> statement-breakpoint
CREATE UNIQUE INDEX "circuits_attachments_endpoint_key" ON "circuits_attachments" ("endpoint_id","path") WHERE "released_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "circuits_attachments_dedicated_key" ON "circuits_attachments" ("port_id") WHERE "port_mode" = 'dedicated' AND "released_at" IS NULL;--> statement-breakpoint
CREATE INDEX "circuits_attachments_circuit" ON "circuits_attachments" ("circuit_id");--> statement-breakpoint
CREATE INDEX "circuits_attachments_port" ON "circuits_attachments" ("port_id");--> statement-breakpoint
CREATE UNIQUE INDEX "circuits_circuits_number_key" ON "circuits_circuits" ("number");--> statement-breakpoint
CREATE INDEX "circuits_circuits_institution" ON "circuits_circuits" ("institution_id");--> statement-breakpoint
CREATE INDEX "circuits_circuits_request" ON "circuits_circuits" ("request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "circuits_endpoints_site_key" ON "circuits_endpoints" ("circuit_id","site_id") WHERE "removed_at" IS NULL;--> statement-breakpoint
CREATE INDEX "circuits_endpoints_circuit" ON "circuits_endpoints" ("circuit_id");--> statement-breakpoint
CREATE INDEX "circuits_endpoints_institution" ON "circuits_endpoints" ("institution_id");--> statement-breakpoint
CREATE UNIQUE INDEX "circuits_route_targets_value_key" ON "circuits_route_targets" ("value");--> statement-breakpoint
CREATE UNIQUE INDEX "circuits_segments_attachment_key" ON "circuits_segments" ("attachment_id") WHERE "state" <> 'terminated';--> statement-breakpoint
CREATE INDEX "circuits_segments_circuit" ON "circuits_segments" ("circuit_id");--> statement-breakpoint
CREATE INDEX "circuits_vlans_circuit" ON "circuits_vlans" ("circuit_id");--> statement-breakpoint
CREATE UNIQUE INDEX "circuits_vlans_attachment_key" ON "circuits_vlans" ("attachment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "circuits_vpns_circuit_key" ON "circuits_vpns" ("circuit_id");--> statement-breakpoint
CREATE UNIQUE INDEX "circuits_vrfs_rd_key" ON "circuits_vrfs" ("rd");--> statement-breakpoint
CREATE INDEX "circuits_vrfs_device" ON "circuits_vrfs" ("device_id");--> statement-breakpoint
ALTER TABLE "circuits_devices" ADD CONSTRAINT "circuits_devices_pop_id_circuits_pops_id_fkey" FOREIGN KEY ("pop_id") REFERENCES "circuits_pops"("id");--> statement-breakpoint
ALTER TABLE "circuits_handoffs" ADD CONSTRAINT "circuits_handoffs_uge6ITbuJ2qK_fkey" FOREIGN KEY ("regional_network_id") REFERENCES "circuits_regional_networks"("id");--> statement-breakpoint
ALTER TABLE "circuits_handoffs" ADD CONSTRAINT "circuits_handoffs_port_mode_fkey" FOREIGN KEY ("port_id","port_mode") REFERENCES "circuits_ports"("id","mode");--> statement-breakpoint
ALTER TABLE "circuits_ports" ADD CONSTRAINT "circuits_ports_device_id_circuits_devices_id_fkey" FOREIGN KEY ("device_id") REFERENCES "circuits_devices"("id");--> statement-breakpoint
ALTER TABLE "circuits_site_access" ADD CONSTRAINT "circuits_site_access_site_id_membership_sites_id_fkey" FOREIGN KEY ("site_id") REFERENCES "membership_sites"("id");--> statement-breakpoint
ALTER TABLE "circuits_site_access" ADD CONSTRAINT "circuits_site_access_port_id_circuits_ports_id_fkey" FOREIGN KEY ("port_id") REFERENCES "circuits_ports"("id");--> statement-breakpoint
ALTER TABLE "circuits_attachments" ADD CONSTRAINT "circuits_attachments_circuit_id_circuits_circuits_id_fkey" FOREIGN KEY ("circuit_id") REFERENCES "circuits_circuits"("id");--> statement-breakpoint
ALTER TABLE "circuits_attachments" ADD CONSTRAINT "circuits_attachments_endpoint_id_circuits_endpoints_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "circuits_endpoints"("id");--> statement-breakpoint
ALTER TABLE "circuits_attachments" ADD CONSTRAINT "circuits_attachments_port_mode_fkey" FOREIGN KEY ("port_id","port_mode") REFERENCES "circuits_ports"("id","mode");--> statement-breakpoint
ALTER TABLE "circuits_circuits" ADD CONSTRAINT "circuits_circuits_UIgs2MXM3aLz_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "circuits_cvlans" ADD CONSTRAINT "circuits_cvlans_vlan_id_circuits_vlans_id_fkey" FOREIGN KEY ("vlan_id") REFERENCES "circuits_vlans"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "circuits_device_configs" ADD CONSTRAINT "circuits_device_configs_device_id_circuits_devices_id_fkey" FOREIGN KEY ("device_id") REFERENCES "circuits_devices"("id");--> statement-breakpoint
ALTER TABLE "circuits_endpoints" ADD CONSTRAINT "circuits_endpoints_circuit_id_circuits_circuits_id_fkey" FOREIGN KEY ("circuit_id") REFERENCES "circuits_circuits"("id");--> statement-breakpoint
ALTER TABLE "circuits_endpoints" ADD CONSTRAINT "circuits_endpoints_KsH4fIiaku87_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "circuits_endpoints" ADD CONSTRAINT "circuits_endpoints_site_id_membership_sites_id_fkey" FOREIGN KEY ("site_id") REFERENCES "membership_sites"("id");--> statement-breakpoint
ALTER TABLE "circuits_route_targets" ADD CONSTRAINT "circuits_route_targets_VnFzeUylBojG_fkey" FOREIGN KEY ("administrator_id") REFERENCES "circuits_rd_administrators"("id");--> statement-breakpoint
ALTER TABLE "circuits_route_targets" ADD CONSTRAINT "circuits_route_targets_vpn_topology_fkey" FOREIGN KEY ("vpn_id","vpn_topology") REFERENCES "circuits_vpns"("id","topology") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "circuits_segments" ADD CONSTRAINT "circuits_segments_circuit_id_circuits_circuits_id_fkey" FOREIGN KEY ("circuit_id") REFERENCES "circuits_circuits"("id");--> statement-breakpoint
ALTER TABLE "circuits_segments" ADD CONSTRAINT "circuits_segments_attachment_id_circuits_attachments_id_fkey" FOREIGN KEY ("attachment_id") REFERENCES "circuits_attachments"("id");--> statement-breakpoint
ALTER TABLE "circuits_segments" ADD CONSTRAINT "circuits_segments_RIxwOTn05loj_fkey" FOREIGN KEY ("regional_network_id") REFERENCES "circuits_regional_networks"("id");--> statement-breakpoint
ALTER TABLE "circuits_segments" ADD CONSTRAINT "circuits_segments_handoff_id_circuits_handoffs_id_fkey" FOREIGN KEY ("handoff_id") REFERENCES "circuits_handoffs"("id");--> statement-breakpoint
ALTER TABLE "circuits_vlans" ADD CONSTRAINT "circuits_vlans_circuit_id_circuits_circuits_id_fkey" FOREIGN KEY ("circuit_id") REFERENCES "circuits_circuits"("id");--> statement-breakpoint
ALTER TABLE "circuits_vlans" ADD CONSTRAINT "circuits_vlans_attachment_id_circuits_attachments_id_fkey" FOREIGN KEY ("attachment_id") REFERENCES "circuits_attachments"("id");--> statement-breakpoint
ALTER TABLE "circuits_vlans" ADD CONSTRAINT "circuits_vlans_port_mode_fkey" FOREIGN KEY ("port_id","port_mode") REFERENCES "circuits_ports"("id","mode");--> statement-breakpoint
ALTER TABLE "circuits_vpns" ADD CONSTRAINT "circuits_vpns_circuit_id_circuits_circuits_id_fkey" FOREIGN KEY ("circuit_id") REFERENCES "circuits_circuits"("id");--> statement-breakpoint
ALTER TABLE "circuits_vrfs" ADD CONSTRAINT "circuits_vrfs_vpn_id_circuits_vpns_id_fkey" FOREIGN KEY ("vpn_id") REFERENCES "circuits_vpns"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "circuits_vrfs" ADD CONSTRAINT "circuits_vrfs_device_id_circuits_devices_id_fkey" FOREIGN KEY ("device_id") REFERENCES "circuits_devices"("id");--> statement-breakpoint
ALTER TABLE "circuits_vrfs" ADD CONSTRAINT "circuits_vrfs_9kWfcs6ZDj7j_fkey" FOREIGN KEY ("administrator_id") REFERENCES "circuits_rd_administrators"("id");