DROP INDEX "ipam_assignments_institution";--> statement-breakpoint
CREATE INDEX "ipam_assignments_institution_prefix" ON "ipam_assignments" ("institution_id","prefix","id");