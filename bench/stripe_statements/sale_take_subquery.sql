-- The take as one UPDATE whose stripe is chosen by a locking subquery (an InitPlan) instead of a CTE joined back by key.
\set t random(1, 1000000)
\set s :client_id % 64
BEGIN;
UPDATE ticketing.quota_stripes s SET remaining = s.remaining - LEAST(1, s.remaining) WHERE s.event_id = :e AND s.quota_id = :q AND s.stripe = (SELECT x.stripe FROM ticketing.quota_stripes x WHERE x.event_id = :e AND x.quota_id = :q AND x.remaining > 0 AND x.stripe >= :s ORDER BY x.stripe LIMIT 1 FOR NO KEY UPDATE OF x SKIP LOCKED) RETURNING s.stripe, s.remaining;
WITH changed AS (UPDATE ticketing.tickets t SET status = 'sold', owner = 'c' || :client_id, hold_expires_at = NULL, updated_at = pg_catalog.now() WHERE t.event_id = :e AND t.ticket_id = ANY (ARRAY[:t]::int8[]) AND t.status = 'available' RETURNING t.event_id, t.ticket_id, 'available'::text AS from_status, t.updated_at), audited AS (INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, at) SELECT c.event_id, c.ticket_id, c.from_status, 'sold', 'c' || :client_id, c.updated_at FROM changed c ORDER BY c.ticket_id RETURNING 1) SELECT c.updated_at FROM changed c;
COMMIT;
