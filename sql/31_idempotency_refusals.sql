--
-- 31_idempotency_refusals: what an idempotency key remembers (1.3). An answer that
-- changed tickets (claimed, released, hold_placed) is stored with the change, and every
-- retry with the key gets it, whatever happened since. An answer that changed nothing
-- (already_sold, held, not_found, limit_reached, sold_out, insufficient, not_owner,
-- not_held, busy, ...) is not remembered and writes nothing: no key row, no transaction
-- id; a retry runs again, and sells if the ticket came free meanwhile.
--
\set VERBOSITY terse

\i sql/include/try.sql

SELECT ticketing.create_event('Keyed refusals', event_id => 3101);
SELECT ticketing.add_tickets(3101, 6);
SELECT ticketing.create_event('Keyed refusals, limit', per_customer_limit => 1, event_id => 3102);
SELECT ticketing.add_tickets(3102, 3);
SELECT ticketing.create_event('Keyed refusals, batches', event_id => 3103);
SELECT ticketing.add_tickets(3103, 4);

SELECT outcome FROM ticketing.claim_ticket(3101, 1, 'alice');
SELECT outcome FROM ticketing.hold_ticket(3101, 2, 'alice', interval '1 hour');

-------------------------------------------------------------------------------
-- Refusals under a key write nothing: inside one transaction no transaction id is
-- assigned (nothing was inserted, updated or deleted), and no key row is left.
-------------------------------------------------------------------------------
BEGIN;
SELECT outcome FROM ticketing.claim_ticket(3101, 1, 'bob', idempotency_key => 'b-1');
SELECT outcome FROM ticketing.claim_ticket(3101, 2, 'bob', idempotency_key => 'b-2');
SELECT outcome FROM ticketing.claim_ticket(3101, 99, 'bob', idempotency_key => 'b-3');
SELECT outcome FROM ticketing.hold_ticket(3101, 1, 'bob', idempotency_key => 'b-4');
SELECT outcome FROM ticketing.release_ticket(3101, 1, 'bob', idempotency_key => 'b-5');
SELECT outcome FROM ticketing.confirm_hold(3101, 3, 'bob', idempotency_key => 'b-6');
SELECT outcome FROM ticketing.release_hold(3101, 2, 'bob', idempotency_key => 'b-7');
SELECT outcome FROM ticketing.claim_tickets(3101, ARRAY[1, 3], 'bob', idempotency_key => 'b-8');
SELECT outcome FROM ticketing.claim_ticket(3101, 1, 'alice', idempotency_key => 'a-0');
SELECT pg_current_xact_id_if_assigned() IS NULL AS wrote_nothing;
COMMIT;
-- claim_any locks what its walk finds (SKIP LOCKED) even when it then answers
-- insufficient, with or without a key; the key adds no row.
SELECT outcome, remaining FROM ticketing.claim_any(3101, 'bob', 10, idempotency_key => 'b-9');
SELECT count(*) AS keys_stored FROM ticketing.idempotency_keys WHERE event_id = 3101;

-------------------------------------------------------------------------------
-- A refusal retried after the ticket came free runs again, and sells; from then on the
-- key answers the sale.
-------------------------------------------------------------------------------
SELECT outcome FROM ticketing.release_ticket(3101, 1, 'alice');
SELECT outcome, ticket_id, owner_is_you
  FROM ticketing.claim_ticket(3101, 1, 'bob', idempotency_key => 'b-1');
SELECT at AS bob_at FROM ticketing.audit_log
 WHERE event_id = 3101 AND ticket_id = 1 AND customer = 'bob' \gset
SELECT outcome, owner_is_you, at = :'bob_at'::timestamptz AS same_at
  FROM ticketing.claim_ticket(3101, 1, 'bob', idempotency_key => 'b-1');
SELECT idempotency_key, outcome, ticket_ids FROM ticketing.idempotency_keys
 WHERE event_id = 3101 ORDER BY idempotency_key COLLATE "C";

-- The same for an order blocked by a hold: once the hold is released, the retry buys.
SELECT outcome FROM ticketing.release_hold(3101, 2, 'alice');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(3101, ARRAY[3, 2], 'carol', idempotency_key => 'c-1');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(3101, ARRAY[2, 3], 'carol', idempotency_key => 'c-1');

-------------------------------------------------------------------------------
-- A retry after the answer was lost on the wire: the first call committed a sale and
-- its answer never reached the client. The retry returns that sale (not
-- already_owned) and sells nothing, even after the ticket changed hands.
-------------------------------------------------------------------------------
SELECT count(*) AS audit_before FROM ticketing.audit_log WHERE event_id = 3101 \gset
SELECT 1 AS answer_lost FROM ticketing.claim_ticket(3101, 4, 'dave', idempotency_key => 'd-1');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(3101, 4, 'dave', idempotency_key => 'd-1');
SELECT outcome FROM ticketing.release_ticket(3101, 4, 'dave');
SELECT outcome FROM ticketing.claim_ticket(3101, 4, 'erin');
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(3101, 4, 'dave', idempotency_key => 'd-1');
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log WHERE event_id = 3101;
-- A change is remembered, so the key with another request is TK001; a key whose only
-- use was a refusal is free for another request.
SELECT state FROM pg_temp.try($$SELECT ticketing.claim_ticket(3101, 5, 'dave', idempotency_key => 'd-1')$$);
SELECT outcome FROM ticketing.claim_ticket(3101, 4, 'frank', idempotency_key => 'f-1');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(3101, 5, 'frank', idempotency_key => 'f-1');
-- A release and a hold are changes too.
SELECT outcome FROM ticketing.release_ticket(3101, 5, 'frank', idempotency_key => 'f-2');
SELECT outcome FROM ticketing.release_ticket(3101, 5, 'frank', idempotency_key => 'f-2');
SELECT outcome FROM ticketing.hold_ticket(3101, 5, 'frank', idempotency_key => 'f-3');
SELECT outcome FROM ticketing.release_hold(3101, 5, 'frank');
SELECT outcome FROM ticketing.hold_ticket(3101, 5, 'frank', idempotency_key => 'f-3');
SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 3101 ORDER BY ticket_id;

-------------------------------------------------------------------------------
-- limit_reached is not remembered: after a release the retry fits under the limit.
-------------------------------------------------------------------------------
SELECT outcome FROM ticketing.claim_ticket(3102, 1, 'gina');
-- (A claim in an event with a limit writes the customer's slot row before it counts,
-- key or no key: docs/design.md, "Concurrency contracts". The key adds no row.)
SELECT outcome FROM ticketing.claim_ticket(3102, 2, 'gina', idempotency_key => 'g-1');
SELECT outcome FROM ticketing.claim_any(3102, 'gina', idempotency_key => 'g-2');
SELECT count(*) AS keys_stored FROM ticketing.idempotency_keys WHERE event_id = 3102;
SELECT outcome FROM ticketing.release_ticket(3102, 1, 'gina');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(3102, 2, 'gina', idempotency_key => 'g-1');
SELECT outcome FROM ticketing.claim_any(3102, 'gina', idempotency_key => 'g-2');
SELECT idempotency_key, outcome, ticket_ids FROM ticketing.idempotency_keys
 WHERE event_id = 3102 ORDER BY idempotency_key COLLATE "C";

-------------------------------------------------------------------------------
-- claim_batch: each keyed request is its own key. A retried batch replays the requests
-- that sold and runs the refused ones again.
-------------------------------------------------------------------------------
SELECT outcome FROM ticketing.claim_ticket(3103, 2, 'holder');
SELECT request_no, outcome, ticket_id
  FROM ticketing.claim_batch(3103, ARRAY[
        ROW(1, 'hana', 'h-1'), ROW(2, 'ivan', 'i-1'), ROW(99, 'jo', 'j-1'),
        ROW(3, 'kim', NULL)]::ticketing.claim_request[]);
SELECT customer, idempotency_key, outcome, ticket_ids FROM ticketing.idempotency_keys
 WHERE event_id = 3103 ORDER BY customer COLLATE "C";
SELECT outcome FROM ticketing.release_ticket(3103, 2, 'holder');
SELECT request_no, outcome, ticket_id
  FROM ticketing.claim_batch(3103, ARRAY[
        ROW(1, 'hana', 'h-1'), ROW(2, 'ivan', 'i-1'), ROW(99, 'jo', 'j-1')]::ticketing.claim_request[]);
SELECT customer, idempotency_key, outcome, ticket_ids FROM ticketing.idempotency_keys
 WHERE event_id = 3103 ORDER BY customer COLLATE "C";
-- A batch of refusals writes nothing either.
BEGIN;
SELECT request_no, outcome
  FROM ticketing.claim_batch(3103, ARRAY[
        ROW(1, 'lee', 'l-1'), ROW(2, 'lee', 'l-2'), ROW(99, 'lee', 'l-3')]::ticketing.claim_request[]);
SELECT pg_current_xact_id_if_assigned() IS NULL AS wrote_nothing;
COMMIT;

-------------------------------------------------------------------------------
-- The key's lock: held until the transaction ends, an advisory lock with the
-- extension's own field (objsubid 19289), never one the SQL advisory-lock functions take.
-------------------------------------------------------------------------------
BEGIN;
SELECT outcome FROM ticketing.claim_ticket(3101, 1, 'mia', idempotency_key => 'm-1');
SELECT locktype, mode, granted, objsubid FROM pg_locks
 WHERE locktype = 'advisory' AND pid = pg_backend_pid();
COMMIT;
SELECT count(*) AS locks_after FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid();

SELECT * FROM ticketing.verify();
