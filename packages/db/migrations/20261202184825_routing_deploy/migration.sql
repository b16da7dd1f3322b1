ALTER TABLE "routing_collectors" ADD COLUMN "bird_config_path" text;--> statement-breakpoint
ALTER TABLE "routing_collectors" ADD COLUMN "bird_socket" text;--> statement-breakpoint
ALTER TABLE "routing_collectors" ADD COLUMN "needs_render" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "routing_configs" ADD COLUMN "deploy_status" text;--> statement-breakpoint
ALTER TABLE "routing_configs" ADD COLUMN "deploy_output" text;--> statement-breakpoint
ALTER TABLE "routing_configs" ADD COLUMN "deployed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "routing_collectors" ADD CONSTRAINT "routing_collectors_deploy" CHECK (("bird_config_path" IS NULL) = ("bird_socket" IS NULL));--> statement-breakpoint
ALTER TABLE "routing_configs" ADD CONSTRAINT "routing_configs_deploy_status" CHECK ("deploy_status" IN ('deployed', 'failed', 'not-deployed'));