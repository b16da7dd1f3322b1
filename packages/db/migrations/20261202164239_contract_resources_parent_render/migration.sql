CREATE TABLE "workflow_resource_requests" (
	"resource_id" uuid,
	"request_id" uuid,
	"role" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "workflow_resource_requests_pkey" PRIMARY KEY("resource_id","request_id"),
	CONSTRAINT "workflow_resource_requests_role" CHECK ("role" IN ('created', 'changed'))
);
--> statement-breakpoint
CREATE TABLE "workflow_resources" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"line" text NOT NULL,
	"type" text NOT NULL,
	"object_id" uuid NOT NULL,
	"institution_id" uuid NOT NULL,
	"name" text NOT NULL,
	"state" text NOT NULL,
	"line_state" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workflow_resources_state" CHECK ("state" IN ('requested', 'provisioning', 'active', 'disabled', 'terminated'))
);
--> statement-breakpoint
ALTER TABLE "rdns_parent_zones" ADD COLUMN "needs_render" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "workflow_resource_requests_request" ON "workflow_resource_requests" ("request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_resources_object" ON "workflow_resources" ("line","type","object_id");--> statement-breakpoint
CREATE INDEX "workflow_resources_institution" ON "workflow_resources" ("institution_id","line","id");--> statement-breakpoint
CREATE INDEX "workflow_resources_line_state" ON "workflow_resources" ("line","state","id");--> statement-breakpoint
ALTER TABLE "workflow_resource_requests" ADD CONSTRAINT "workflow_resource_requests_SB6r9z1EGfbA_fkey" FOREIGN KEY ("resource_id") REFERENCES "workflow_resources"("id");--> statement-breakpoint
ALTER TABLE "workflow_resource_requests" ADD CONSTRAINT "workflow_resource_requests_request_id_workflow_requests_id_fkey" FOREIGN KEY ("request_id") REFERENCES "workflow_requests"("id");--> statement-breakpoint
ALTER TABLE "workflow_resources" ADD CONSTRAINT "workflow_resources_3E2HcOyAvXmX_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");