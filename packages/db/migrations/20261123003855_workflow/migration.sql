CREATE TABLE "workflow_comments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"ticket_id" uuid NOT NULL,
	"author" text NOT NULL,
	"body" text NOT NULL,
	"visibility" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workflow_comments_visibility" CHECK ("visibility" IN ('internal', 'institution'))
);
--> statement-breakpoint
CREATE TABLE "workflow_notifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"request_id" uuid NOT NULL,
	"event_id" integer NOT NULL,
	"template" text NOT NULL,
	"recipient" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"message_id" text,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	CONSTRAINT "workflow_notifications_status" CHECK ("status" IN ('pending', 'sent', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "workflow_request_events" (
	"id" bigserial PRIMARY KEY,
	"request_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"http_request_id" text NOT NULL,
	"type" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"step" text,
	"note" text,
	"data" jsonb
);
--> statement-breakpoint
CREATE TABLE "workflow_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"kind" text NOT NULL,
	"institution_id" uuid NOT NULL,
	"requester" text NOT NULL,
	"requester_contact_id" uuid,
	"payload" jsonb NOT NULL,
	"status" text NOT NULL,
	"current_step" text,
	"reason" text,
	"revision" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"submitted_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "workflow_requests_status" CHECK ("status" IN ('draft', 'in_progress', 'returned', 'completed', 'rejected', 'cancelled', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "workflow_step_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"request_id" uuid NOT NULL,
	"pass" integer NOT NULL,
	"step" text NOT NULL,
	"type" text NOT NULL,
	"status" text NOT NULL,
	"job_id" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"acted_by" text,
	"acted_at" timestamp with time zone,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "workflow_step_runs_type" CHECK ("type" IN ('automatic', 'human', 'external')),
	CONSTRAINT "workflow_step_runs_status" CHECK ("status" IN ('pending', 'running', 'done', 'failed', 'skipped'))
);
--> statement-breakpoint
CREATE TABLE "workflow_tickets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"request_id" uuid NOT NULL,
	"institution_id" uuid NOT NULL,
	"queue" text NOT NULL,
	"owner_id" uuid,
	"state" text NOT NULL,
	"response_due_at" timestamp with time zone NOT NULL,
	"resolution_due_at" timestamp with time zone NOT NULL,
	"first_response_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"paused_since" timestamp with time zone,
	"paused_seconds" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workflow_tickets_state" CHECK ("state" IN ('new', 'open', 'waiting', 'resolved', 'closed'))
);
--> statement-breakpoint
CREATE INDEX "workflow_comments_ticket" ON "workflow_comments" ("ticket_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_notifications_key" ON "workflow_notifications" ("event_id","recipient");--> statement-breakpoint
CREATE INDEX "workflow_request_events_request" ON "workflow_request_events" ("request_id","id");--> statement-breakpoint
CREATE INDEX "workflow_requests_institution" ON "workflow_requests" ("institution_id","created_at");--> statement-breakpoint
CREATE INDEX "workflow_requests_status" ON "workflow_requests" ("status","kind");--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_step_runs_key" ON "workflow_step_runs" ("request_id","pass","step");--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_tickets_request" ON "workflow_tickets" ("request_id");--> statement-breakpoint
CREATE INDEX "workflow_tickets_queue" ON "workflow_tickets" ("queue","state");--> statement-breakpoint
CREATE INDEX "workflow_tickets_institution" ON "workflow_tickets" ("institution_id");--> statement-breakpoint
ALTER TABLE "workflow_comments" ADD CONSTRAINT "workflow_comments_ticket_id_workflow_tickets_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "workflow_tickets"("id");--> statement-breakpoint
ALTER TABLE "workflow_notifications" ADD CONSTRAINT "workflow_notifications_request_id_workflow_requests_id_fkey" FOREIGN KEY ("request_id") REFERENCES "workflow_requests"("id");--> statement-breakpoint
ALTER TABLE "workflow_request_events" ADD CONSTRAINT "workflow_request_events_request_id_workflow_requests_id_fkey" FOREIGN KEY ("request_id") REFERENCES "workflow_requests"("id");--> statement-breakpoint
ALTER TABLE "workflow_requests" ADD CONSTRAINT "workflow_requests_KC7HY2wAP8qU_fkey" FOREIGN KEY ("institution_id") REFERENCES "membership_institutions"("id");--> statement-breakpoint
ALTER TABLE "workflow_step_runs" ADD CONSTRAINT "workflow_step_runs_request_id_workflow_requests_id_fkey" FOREIGN KEY ("request_id") REFERENCES "workflow_requests"("id");--> statement-breakpoint
ALTER TABLE "workflow_tickets" ADD CONSTRAINT "workflow_tickets_request_id_workflow_requests_id_fkey" FOREIGN KEY ("request_id") REFERENCES "workflow_requests"("id");