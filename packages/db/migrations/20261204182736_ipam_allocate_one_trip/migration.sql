-- Custom SQL migration file, put your code below! --
-- ipam_allocate_next, one round trip (allocate-next.ts): the caller applies the pool's rules to
-- the row it last saw and sends them as `expect`, compared here under the lock as before. What
-- changes is what comes back for a done allocation: the assignment once, as the change log
-- stores it (ipam_assignment_json, camelCase — the caller builds its row from that), and no
-- pool row (to_jsonb of both rows and their parsing were a tenth of the call). The rest is
-- unchanged.
CREATE OR REPLACE FUNCTION ipam_allocate_next(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  pool ipam_pools;
  len int := (p->>'length')::int;
  inst uuid := (p->>'institutionId')::uuid;
  at timestamptz := (p->>'at')::timestamptz;
  g int;
  align int;
  unit int;
  admin_c text[];
  tech_c text[];
  mnt_by text[];
  free cidr;
  frow cidr;
  fcut int;
  place cidr;
  cur cidr;
  par cidr;
  lo cidr;
  rest cidr[] := '{}';
  l int;
  a ipam_assignments;
  after jsonb;
  resource uuid;
BEGIN
  SELECT * INTO pool FROM ipam_pools WHERE id = (p->>'poolId')::uuid FOR UPDATE;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('outcome', 'not-found');
  END IF;
  admin_c := CASE WHEN p->'adminC' IS NOT NULL THEN ARRAY(SELECT jsonb_array_elements_text(p->'adminC')) ELSE pool.admin_c END;
  tech_c := CASE WHEN p->'techC' IS NOT NULL THEN ARRAY(SELECT jsonb_array_elements_text(p->'techC')) ELSE pool.tech_c END;
  mnt_by := CASE WHEN p->'mntBy' IS NOT NULL THEN ARRAY(SELECT jsonb_array_elements_text(p->'mntBy')) ELSE pool.mnt_by END;
  g := coalesce((p->>'growth')::int, pool.growth_length);
  -- The caller applied the pool's rules to a row it read without the lock: what they read must
  -- still hold now that the row is locked, else the general path runs them again.
  IF pool.retired_at IS NOT NULL
     OR pool.status IS DISTINCT FROM p->'expect'->>'status'
     OR pool.prefix IS DISTINCT FROM (p->'expect'->>'prefix')::cidr
     OR pool.assignment_size IS DISTINCT FROM (p->'expect'->>'assignmentSize')::int
     OR pool.parent_id IS DISTINCT FROM (p->'expect'->>'parentId')::uuid
     OR len < masklen(pool.prefix) OR len > (CASE pool.family WHEN 4 THEN 32 ELSE 128 END)
     OR cardinality(admin_c) = 0 OR cardinality(tech_c) = 0 OR cardinality(mnt_by) = 0
     OR (g IS NOT NULL AND g <> 0 AND greatest(g, masklen(pool.prefix)) < len)
     OR EXISTS (SELECT 1 FROM ipam_reservations r
                 WHERE r.pool_id = pool.id AND r.kind = 'growth' AND r.released_at IS NULL
                   AND r.institution_id = inst AND masklen(r.prefix) <= len) THEN
    RETURN jsonb_build_object('outcome', 'declined', 'pool', to_jsonb(pool));
  END IF;

  -- The free block, as freelist.ts's findFree orders them per strategy (one index probe).
  align := CASE pool.family WHEN 6 THEN (len / 4) * 4 ELSE len END;
  IF pool.strategy = 'best_fit' THEN
    SELECT f.prefix INTO free FROM ipam_free_blocks f
     WHERE f.pool_id = pool.id AND f.masklen <= len
       AND (f.masklen <= align OR host(set_masklen(f.prefix, align)) = host(f.prefix))
     ORDER BY f.masklen DESC, f.prefix LIMIT 1;
  ELSIF pool.strategy = 'sparse' THEN
    -- The largest block is a row's top (a tail's: its prefix's upper half). A block longer
    -- than the alignment fits only if aligned, which a smaller block of a tail may be while
    -- its top is not: freelist.ts looks at every block then.
    SELECT f.prefix, f.cut INTO free, fcut FROM ipam_free_blocks f
     WHERE f.pool_id = pool.id AND f.masklen <= least(len, align)
     ORDER BY f.masklen, f.prefix LIMIT 1;
    IF free IS NULL AND align < len THEN
      RETURN jsonb_build_object('outcome', 'declined', 'pool', to_jsonb(pool));
    END IF;
  ELSIF pool.strategy = 'first_fit' THEN
    SELECT f.prefix INTO free FROM ipam_free_blocks f
     WHERE f.pool_id = pool.id AND f.masklen <= len
       AND (f.masklen <= align OR host(set_masklen(f.prefix, align)) = host(f.prefix))
     ORDER BY f.prefix LIMIT 1;
  ELSE
    SELECT f.prefix INTO free FROM ipam_free_blocks f
     WHERE f.pool_id = pool.id AND f.masklen <= len
       AND (f.masklen <= align OR host(set_masklen(f.prefix, align)) = host(f.prefix))
     ORDER BY f.prefix DESC LIMIT 1;
  END IF;
  IF free IS NULL THEN
    RETURN jsonb_build_object('outcome', 'no-space', 'pool', to_jsonb(pool));
  END IF;
  frow := free;
  IF fcut IS NOT NULL THEN
    free := set_masklen((broadcast(set_masklen(frow, masklen(frow) + 1)) + 1)::cidr, masklen(frow) + 1);
  END IF;
  -- model.ts placeIn: the block's start (aligned by the filter above), last-fit its end.
  IF pool.strategy = 'last_fit' THEN
    place := set_masklen(set_masklen(network(set_masklen(broadcast(free), len)), align), len);
    IF NOT place <<= free THEN
      RETURN jsonb_build_object('outcome', 'no-space', 'pool', to_jsonb(pool));
    END IF;
  ELSE
    place := set_masklen(free, len);
  END IF;
  -- freelist.ts takeFromRow: a whole row goes, a tail gives up its top (its lower half's
  -- tail stays).
  IF fcut IS NULL OR fcut = masklen(frow) + 1 THEN
    DELETE FROM ipam_free_blocks WHERE pool_id = pool.id AND prefix = frow;
  ELSE
    UPDATE ipam_free_blocks SET prefix = set_masklen(frow, masklen(frow) + 1), masklen = masklen(frow) + 2
     WHERE pool_id = pool.id AND prefix = frow;
  END IF;
  IF len > masklen(free) THEN
    IF pool.strategy = 'sparse' THEN
      -- One tail row: the buddies of the placed block up to the free block, implicit.
      INSERT INTO ipam_free_blocks (pool_id, prefix, masklen, cut)
        VALUES (pool.id, free, masklen(free) + 1, len);
    ELSE
      -- model.ts remainder: the buddies from the placed block up to the free block stay free.
      cur := place;
      FOR l IN REVERSE len .. masklen(free) + 1 LOOP
        par := set_masklen(cur, l - 1);
        lo := set_masklen(par, l);
        rest := rest || CASE WHEN lo = cur THEN (broadcast(lo) + 1)::cidr ELSE lo END;
        cur := par;
      END LOOP;
      INSERT INTO ipam_free_blocks (pool_id, prefix, masklen)
        SELECT pool.id, b, masklen(b) FROM unnest(rest) b;
    END IF;
  END IF;

  INSERT INTO ipam_assignments (pool_id, institution_id, site_id, family, prefix, status, lifecycle,
      purpose, justification, request_id, netname, country, admin_c, tech_c, mnt_by, source, descr,
      created_by, created_at, activated_at)
    VALUES (pool.id, inst, (p->>'siteId')::uuid, pool.family, place, p->'status'->>(pool.family::text),
      p->>'lifecycle', p->>'purpose', p->>'justification', (p->>'requestId')::uuid,
      coalesce(p->>'netname', pool.netname, left('NET-' || regexp_replace(place::text, '[^0-9a-fA-F]+', '-', 'g'), 80)),
      upper(coalesce(p->>'country', pool.country, 'FR')), admin_c, tech_c, mnt_by, pool.source, p->>'descr',
      p->>'createdBy', at, CASE WHEN p->>'lifecycle' = 'active' THEN at END)
    RETURNING * INTO a;
  after := ipam_assignment_json(a);
  unit := CASE pool.family WHEN 4 THEN 32 ELSE 64 END;
  UPDATE ipam_pools
     SET used_units = used_units + CASE WHEN len >= unit THEN 1 ELSE 1::bigint << (unit - len) END,
         assignment_count = assignment_count + 1
   WHERE id = pool.id;

  -- What audit's recordChange and workflow's recordResource write for a new assignment.
  INSERT INTO audit_changes (at, actor, request_id, action, object_type, object_id, institution_id, after)
    VALUES (at, p->>'actor', p->>'contextRequestId', p->>'action', 'Assignment', a.id::text,
            a.institution_id, after);
  INSERT INTO workflow_resources (line, type, object_id, institution_id, name, state, line_state, created_at, updated_at)
    VALUES ('ipam', 'Assignment', a.id, a.institution_id, a.prefix::text, p->>'resourceState', a.lifecycle, at, at)
    RETURNING id INTO resource;
  IF a.request_id IS NOT NULL THEN
    INSERT INTO workflow_resource_requests (resource_id, request_id, role, at)
      VALUES (resource, a.request_id, 'created', at);
  END IF;
  -- The change log's row is the assignment as the caller returns it (allocate-next.ts reads
  -- it back); the pool is not sent: the caller has what it needs of it.
  RETURN jsonb_build_object('outcome', 'done', 'assignment', after);
END
$$;
