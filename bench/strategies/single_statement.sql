-- single_statement: the best hand-written SQL: a conditional UPDATE (status = 'available'
-- is re-checked on the latest row version after any lock wait) and the audit row, in
-- one statement and one round trip.
\set t random(1, :n)
WITH u AS (
    UPDATE ticketing.tickets
       SET status = 'sold', owner = 'c' || :client_id::text, updated_at = now()
     WHERE event_id = :e AND ticket_id = :t AND status = 'available'
 RETURNING event_id, ticket_id, owner, updated_at)
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, at)
SELECT event_id, ticket_id, 'available', 'sold', owner, updated_at FROM u;
