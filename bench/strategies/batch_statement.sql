-- batch_statement: the best hand-written batch: :batch random seats, sorted (so two
-- batches lock their rows in the same order and never deadlock), sold in one
-- conditional UPDATE with their audit rows, in one statement and one round trip. It
-- answers nothing per seat: the caller learns only which seats it got.
WITH sold AS (
    UPDATE ticketing.tickets
       SET status = 'sold', owner = 'c' || :client_id::text, updated_at = now()
     WHERE event_id = :e AND status = 'available'
       AND ticket_id = ANY (ARRAY(SELECT DISTINCT 1 + floor(random() * :n)::bigint
                                    FROM generate_series(1, :batch) ORDER BY 1))
 RETURNING event_id, ticket_id, owner, updated_at)
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, at)
SELECT event_id, ticket_id, 'available', 'sold', owner, updated_at FROM sold;
