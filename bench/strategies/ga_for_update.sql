-- ga_for_update: general admission by hand: lock the first available ticket, sell it.
-- Concurrent buyers queue on the same first row; after the holder commits, PostgreSQL
-- re-checks the row, finds it sold and moves on to the next one.
BEGIN;
SELECT coalesce(min(ticket_id), 0) AS tid FROM (
    SELECT ticket_id FROM ticketing.tickets
     WHERE event_id = :e AND status = 'available'
     ORDER BY ticket_id LIMIT 1 FOR UPDATE) first_free \gset
\if :tid > 0
UPDATE ticketing.tickets SET status = 'sold', owner = 'c' || :client_id::text, updated_at = now()
 WHERE event_id = :e AND ticket_id = :tid;
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (:e, :tid, 'available', 'sold', 'c' || :client_id::text);
\endif
COMMIT;
