-- client_txn: the textbook fix, driven from the client: one transaction, lock the row
-- with SELECT ... FOR UPDATE, decide in the client, update, audit, commit. Four round
-- trips (five with BEGIN) per claim.
\set t random(1, :n)
BEGIN;
SELECT (status = 'available')::int AS avail
  FROM ticketing.tickets WHERE event_id = :e AND ticket_id = :t FOR UPDATE \gset
\if :avail
UPDATE ticketing.tickets SET status = 'sold', owner = 'c' || :client_id::text, updated_at = now()
 WHERE event_id = :e AND ticket_id = :t;
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (:e, :t, 'available', 'sold', 'c' || :client_id::text);
\endif
COMMIT;
