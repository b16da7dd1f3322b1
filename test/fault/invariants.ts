/**
 * What must hold in the database whatever happened to it (test code only): each query returns
 * the rows that break the rule, so an empty answer is a pass. Used by the fault test after the
 * outages; usable by any test that wants to prove nothing was half-written.
 */
export const INVARIANTS: Record<string, string> = {
  'a request without an event': `
    SELECT r.id FROM workflow_requests r
     WHERE NOT EXISTS (SELECT 1 FROM workflow_request_events e WHERE e.request_id = r.id)`,
  'a submitted request without its ticket': `
    SELECT r.id FROM workflow_requests r
     WHERE r.status <> 'draft' AND NOT EXISTS (SELECT 1 FROM workflow_tickets t WHERE t.request_id = r.id)`,
  'a request without its change-log row': `
    SELECT r.id FROM workflow_requests r
     WHERE NOT EXISTS (SELECT 1 FROM audit_changes c WHERE c.object_type = 'Request' AND c.object_id = r.id::text)`,
  'a duplicate ticket': `
    SELECT request_id, count(*) FROM workflow_tickets GROUP BY request_id HAVING count(*) > 1`,
  'a duplicate notification': `
    SELECT event_id, recipient, count(*) FROM workflow_notifications
     GROUP BY event_id, recipient HAVING count(*) > 1`,
  'a reservation without its change-log row': `
    SELECT r.id FROM ipam_reservations r
     WHERE NOT EXISTS (SELECT 1 FROM audit_changes c WHERE c.object_type = 'Reservation' AND c.object_id = r.id::text)`,
  // Units: addresses (IPv4) or /64s (IPv6), as the pool's unit_length says.
  'a pool whose reserved counter differs from its reservations': `
    SELECT p.id, p.reserved_units, x.units FROM ipam_pools p
      CROSS JOIN LATERAL (
        SELECT COALESCE(sum(CASE WHEN masklen(r.prefix) >= p.unit_length THEN 1
                                 ELSE 2::numeric ^ (p.unit_length - masklen(r.prefix)) END), 0) AS units
          FROM ipam_reservations r WHERE r.pool_id = p.id AND r.released_at IS NULL) x
     WHERE p.reserved_units <> x.units`,
  'a pool whose used counter differs from its assignments and child pools': `
    SELECT p.id, p.used_units, x.units FROM ipam_pools p
      CROSS JOIN LATERAL (
        SELECT COALESCE((SELECT sum(CASE WHEN masklen(a.prefix) >= p.unit_length THEN 1
                                         ELSE 2::numeric ^ (p.unit_length - masklen(a.prefix)) END)
                           FROM ipam_assignments a
                          WHERE a.pool_id = p.id AND a.lifecycle IN ('reserved', 'active', 'returned', 'quarantined')), 0)
             + COALESCE((SELECT sum(c.size_units) FROM ipam_pools c WHERE c.parent_id = p.id), 0) AS units) x
     WHERE p.used_units <> x.units`,
  'a pool whose assignment count differs from its assignments': `
    SELECT p.id, p.assignment_count FROM ipam_pools p
     WHERE p.assignment_count <> (SELECT count(*) FROM ipam_assignments a WHERE a.pool_id = p.id)`,
};
