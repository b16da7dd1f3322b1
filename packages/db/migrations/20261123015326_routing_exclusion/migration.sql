-- Custom SQL migration file, put your code below! --
-- A prefix is announced for at most one institution: announcements of different institutions
-- never overlap (identical, covering or more-specific). `owner` is the institution id as an
-- IPv6 address so that inet_ops serves both columns (no btree_gist extension, which PGlite
-- would have to load).
ALTER TABLE "routing_announcements" ADD COLUMN "owner" inet GENERATED ALWAYS AS (regexp_replace(replace("institution_id"::text, '-', ''), '(.{4})(?!$)', '\1:', 'g')::inet) STORED;--> statement-breakpoint
ALTER TABLE "routing_announcements" ADD CONSTRAINT "routing_announcements_one_institution"
  EXCLUDE USING gist ("prefix" inet_ops WITH &&, "owner" inet_ops WITH <>);--> statement-breakpoint
-- The current session of an institution is one of its current collector's.
ALTER TABLE "routing_institutions" ADD CONSTRAINT "routing_institutions_session_fk"
  FOREIGN KEY ("collector_id", "session_id") REFERENCES "routing_sessions"("collector_id", "id");--> statement-breakpoint
ALTER TABLE "routing_institutions" ADD CONSTRAINT "routing_institutions_collector_fk"
  FOREIGN KEY ("collector_id") REFERENCES "routing_collectors"("id");
