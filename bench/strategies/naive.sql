-- naive: read, then write, in separate autocommit statements. Nothing stops two clients
-- from both reading 'available' before either writes: the race this suite demonstrates.
-- Each client records the sale it believes it made (an audit row).
\set t random(1, :n)
SELECT (status = 'available')::int AS avail
  FROM ticketing.tickets WHERE event_id = :e AND ticket_id = :t \gset
\if :avail
UPDATE ticketing.tickets SET status = 'sold', owner = 'c' || :client_id::text, updated_at = now()
 WHERE event_id = :e AND ticket_id = :t;
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (:e, :t, 'available', 'sold', 'c' || :client_id::text);
\endif
