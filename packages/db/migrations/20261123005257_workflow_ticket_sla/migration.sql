ALTER TABLE "workflow_notifications" ADD COLUMN "claimed_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workflow_tickets" ADD COLUMN "response_minutes" integer DEFAULT 240 NOT NULL;--> statement-breakpoint
ALTER TABLE "workflow_tickets" ADD COLUMN "resolution_minutes" integer DEFAULT 7200 NOT NULL;--> statement-breakpoint
ALTER TABLE "workflow_tickets" ADD COLUMN "closed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "workflow_notifications_request" ON "workflow_notifications" ("request_id","created_at");--> statement-breakpoint
CREATE INDEX "workflow_tickets_created" ON "workflow_tickets" ("created_at","id");--> statement-breakpoint
CREATE INDEX "workflow_tickets_owner" ON "workflow_tickets" ("owner_id") WHERE "owner_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "workflow_tickets_resolution_due" ON "workflow_tickets" ("resolution_due_at") WHERE "state" IN ('new', 'open');--> statement-breakpoint
CREATE INDEX "workflow_tickets_response_due" ON "workflow_tickets" ("response_due_at") WHERE "state" IN ('new', 'open') AND "first_response_at" IS NULL;--> statement-breakpoint
CREATE INDEX "workflow_tickets_waiting" ON "workflow_tickets" ("paused_since") WHERE "state" = 'waiting';--> statement-breakpoint
ALTER TABLE "workflow_tickets" ADD CONSTRAINT "workflow_tickets_paused" CHECK (("state" = 'waiting') = ("paused_since" IS NOT NULL));--> statement-breakpoint
ALTER TABLE "workflow_tickets" ADD CONSTRAINT "workflow_tickets_targets" CHECK ("response_minutes" > 0 AND "resolution_minutes" > 0);