-- Custom SQL migration file, put your code below! --
-- Realms as ranges of reversed names in byte order (collation "C"): `example.univ-a.` alone for
-- an exact realm, [`example.univ-a.`, `example.univ-a/`) for a realm with its subrealms ('/'
-- follows '.'), so "one realm covers the other" is range overlap (services/eduroam model.ts).
CREATE TYPE "eduroam_realm_range" AS RANGE (subtype = text, collation = "C");--> statement-breakpoint
-- search_path FROM CURRENT: PostgreSQL 17+ builds indexes under a search_path of pg_catalog only,
-- where the range type would not be found.
CREATE FUNCTION "eduroam_realm_coverage"(key text, subrealms boolean) RETURNS "eduroam_realm_range"
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path FROM CURRENT
  AS $$ SELECT CASE WHEN subrealms
    THEN "eduroam_realm_range"(key, left(key, -1) || '/', '[)')
    ELSE "eduroam_realm_range"(key, key, '[]') END $$;--> statement-breakpoint
-- No two live realms overlap: the same name, or one inside the other's subrealms — whoever holds
-- them (a redundant realm of one's own is refused too).
ALTER TABLE "eduroam_realms" ADD CONSTRAINT "eduroam_realms_no_overlap"
  EXCLUDE USING gist ("eduroam_realm_coverage"("realm_key", "subrealms") WITH &&) WHERE ("state" <> 'removed');--> statement-breakpoint
-- Nor do their look-alike skeletons (univ-a.examp1e beside univ-a.example).
ALTER TABLE "eduroam_realms" ADD CONSTRAINT "eduroam_realms_no_lookalike"
  EXCLUDE USING gist ("eduroam_realm_coverage"("skeleton_key", "subrealms") WITH &&) WHERE ("state" <> 'removed');--> statement-breakpoint
-- The proxy's single state row.
INSERT INTO "eduroam_proxy_state" ("id") VALUES (1);
