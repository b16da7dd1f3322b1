-- Custom SQL migration file, put your code below! --
-- Two assignments holding space never overlap, whatever their pool (the allocator's backstop).
ALTER TABLE "ipam_assignments" ADD CONSTRAINT "ipam_assignments_no_overlap"
  EXCLUDE USING gist ("prefix" inet_ops WITH &&) WHERE ("lifecycle" IN ('reserved', 'active', 'returned', 'quarantined'));--> statement-breakpoint
ALTER TABLE "ipam_reservations" ADD CONSTRAINT "ipam_reservations_no_overlap"
  EXCLUDE USING gist ("prefix" inet_ops WITH &&) WHERE ("released_at" IS NULL);--> statement-breakpoint
ALTER TABLE "ipam_free_blocks" ADD CONSTRAINT "ipam_free_blocks_no_overlap"
  EXCLUDE USING gist ("prefix" inet_ops WITH &&);--> statement-breakpoint
-- Sibling pools never overlap. Children lie inside their parent (trigger below), so pools of
-- one depth overlapping would be siblings: one partial constraint per depth needs no btree_gist.
ALTER TABLE "ipam_pools" ADD CONSTRAINT "ipam_pools_no_overlap_0" EXCLUDE USING gist ("prefix" inet_ops WITH &&) WHERE ("depth" = 0);--> statement-breakpoint
ALTER TABLE "ipam_pools" ADD CONSTRAINT "ipam_pools_no_overlap_1" EXCLUDE USING gist ("prefix" inet_ops WITH &&) WHERE ("depth" = 1);--> statement-breakpoint
ALTER TABLE "ipam_pools" ADD CONSTRAINT "ipam_pools_no_overlap_2" EXCLUDE USING gist ("prefix" inet_ops WITH &&) WHERE ("depth" = 2);--> statement-breakpoint
ALTER TABLE "ipam_pools" ADD CONSTRAINT "ipam_pools_no_overlap_3" EXCLUDE USING gist ("prefix" inet_ops WITH &&) WHERE ("depth" = 3);--> statement-breakpoint
ALTER TABLE "ipam_pools" ADD CONSTRAINT "ipam_pools_parent_fk" FOREIGN KEY ("parent_id") REFERENCES "ipam_pools"("id");--> statement-breakpoint
-- Everything a pool holds lies inside it: checked on every write, whoever writes.
CREATE FUNCTION ipam_inside_pool() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  pool_id uuid;
  outer_prefix cidr;
BEGIN
  IF TG_TABLE_NAME = 'ipam_pools' THEN
    pool_id := NEW.parent_id;
    IF pool_id IS NULL THEN RETURN NEW; END IF;
  ELSE
    pool_id := NEW.pool_id;
  END IF;
  SELECT prefix INTO outer_prefix FROM ipam_pools WHERE id = pool_id;
  IF outer_prefix IS NULL OR NOT (NEW.prefix <<= outer_prefix) OR (TG_TABLE_NAME = 'ipam_pools' AND NEW.prefix = outer_prefix) THEN
    RAISE EXCEPTION '% % is not inside pool % (%)', TG_TABLE_NAME, NEW.prefix, pool_id, outer_prefix
      USING ERRCODE = 'check_violation', CONSTRAINT = 'ipam_inside_pool';
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER ipam_assignments_inside_pool BEFORE INSERT OR UPDATE OF prefix, pool_id ON ipam_assignments
  FOR EACH ROW EXECUTE FUNCTION ipam_inside_pool();--> statement-breakpoint
CREATE TRIGGER ipam_reservations_inside_pool BEFORE INSERT OR UPDATE OF prefix, pool_id ON ipam_reservations
  FOR EACH ROW EXECUTE FUNCTION ipam_inside_pool();--> statement-breakpoint
CREATE TRIGGER ipam_free_blocks_inside_pool BEFORE INSERT OR UPDATE OF prefix, pool_id ON ipam_free_blocks
  FOR EACH ROW EXECUTE FUNCTION ipam_inside_pool();--> statement-breakpoint
CREATE TRIGGER ipam_pools_inside_parent BEFORE INSERT OR UPDATE OF prefix, parent_id ON ipam_pools
  FOR EACH ROW EXECUTE FUNCTION ipam_inside_pool();
