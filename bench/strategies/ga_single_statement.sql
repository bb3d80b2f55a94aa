-- ga_single_statement: general admission in one statement: pick the first available
-- ticket nobody has locked (SKIP LOCKED), sell it and audit it.
WITH pick AS (
    SELECT ticket_id FROM ticketing.tickets
     WHERE event_id = :e AND status = 'available'
     ORDER BY ticket_id LIMIT 1 FOR UPDATE SKIP LOCKED),
u AS (
    UPDATE ticketing.tickets t
       SET status = 'sold', owner = 'c' || :client_id::text, updated_at = now()
      FROM pick
     WHERE t.event_id = :e AND t.ticket_id = pick.ticket_id
 RETURNING t.event_id, t.ticket_id, t.owner, t.updated_at)
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, at)
SELECT event_id, ticket_id, 'available', 'sold', owner, updated_at FROM u;
