CREATE TABLE "audit_changes" (
	"id" bigserial PRIMARY KEY,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"request_id" text NOT NULL,
	"action" text NOT NULL,
	"object_type" text NOT NULL,
	"object_id" text NOT NULL,
	"institution_id" uuid,
	"before" jsonb,
	"after" jsonb
);
--> statement-breakpoint
CREATE TABLE "audit_journal" (
	"id" bigserial PRIMARY KEY,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"request_id" text NOT NULL,
	"object_type" text NOT NULL,
	"object_id" text NOT NULL,
	"institution_id" uuid,
	"kind" text NOT NULL,
	"body" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_changes_object" ON "audit_changes" ("object_type","object_id","id");--> statement-breakpoint
CREATE INDEX "audit_changes_institution" ON "audit_changes" ("institution_id","id");--> statement-breakpoint
CREATE INDEX "audit_changes_request" ON "audit_changes" ("request_id");--> statement-breakpoint
CREATE INDEX "audit_journal_object" ON "audit_journal" ("object_type","object_id","id");