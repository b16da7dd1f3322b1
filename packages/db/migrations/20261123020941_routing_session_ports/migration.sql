ALTER TABLE "routing_sessions" ADD COLUMN "local_port" integer;--> statement-breakpoint
ALTER TABLE "routing_sessions" ADD COLUMN "peer_port" integer;--> statement-breakpoint
ALTER TABLE "routing_sessions" ADD COLUMN "multihop" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "routing_sessions" ADD CONSTRAINT "routing_sessions_ports" CHECK (("local_port" IS NULL OR "local_port" BETWEEN 1 AND 65535) AND ("peer_port" IS NULL OR "peer_port" BETWEEN 1 AND 65535));