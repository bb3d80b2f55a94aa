--
-- 41_keys_across_calls: one idempotency key for one purchase, whichever call carries it.
-- A claim_batch request for a given ticket (no category, no cart) is the purchase
-- claim_ticket makes: a key stored by either answers a retry through the other with the
-- first answer (the Go service's coalescer sends a request in a batch and, when the
-- batch fails, retries it alone). A request with more to it (a category, a cart, another
-- ticket) is another request: TK001. Keys a 1.2 batch stored still serve their request.
--
\set VERBOSITY terse

\i sql/include/try.sql

SELECT ticketing.create_event('Keys across calls', event_id => 4101);
SELECT ticketing.add_tickets(4101, 6);

-- Stored by claim_batch, retried alone: the first answer, no second sale.
SELECT request_no, outcome, ticket_id FROM ticketing.claim_batch(4101, ARRAY[
    ROW(1, 'ann', 'k-1')::ticketing.claim_request, ROW(2, 'bob', NULL)::ticketing.claim_request]);
SELECT outcome, ticket_id FROM ticketing.claim_ticket(4101, 1, 'ann', idempotency_key => 'k-1');
-- Stored by claim_ticket, retried in a batch beside another request.
SELECT outcome, ticket_id FROM ticketing.claim_ticket(4101, 3, 'ann', idempotency_key => 'k-3');
SELECT request_no, outcome, ticket_id FROM ticketing.claim_batch(4101, ARRAY[
    ROW(4, 'cid', NULL)::ticketing.claim_request, ROW(3, 'ann', 'k-3')::ticketing.claim_request]);
-- Both replays changed nothing: one sale each, one audit row each.
SELECT ticket_id, owner, (SELECT count(*) FROM ticketing.audit_log l
                           WHERE l.event_id = 4101 AND l.ticket_id = t.ticket_id) AS audit_rows
  FROM ticketing.tickets t WHERE event_id = 4101 AND status = 'sold' ORDER BY 1;

-- Another request under the same key: TK001, whichever call.
SELECT * FROM pg_temp.try($$SELECT outcome FROM ticketing.claim_ticket(4101, 5, 'ann', idempotency_key => 'k-1')$$);
SELECT * FROM pg_temp.try($$SELECT outcome FROM ticketing.hold_ticket(4101, 1, 'ann', idempotency_key => 'k-1')$$);
SELECT * FROM pg_temp.try($$SELECT request_no, outcome FROM ticketing.claim_batch(4101, ARRAY[
    ROW(NULL, 'ann', 'k-3', 'general', NULL)::ticketing.batch_request])$$);
SELECT * FROM pg_temp.try($$SELECT request_no, outcome FROM ticketing.claim_batch(4101, ARRAY[
    ROW(5, 'ann', 'k-3')::ticketing.claim_request])$$);

-- A key a 1.2 batch stored (its fingerprint named claim_batch) still answers its request,
-- alone or in a batch, and only that request.
UPDATE ticketing.idempotency_keys SET fingerprint = replace(fingerprint, 'claim_ticket ', 'claim_batch ')
 WHERE event_id = 4101 AND idempotency_key = 'k-1';
SELECT fingerprint FROM ticketing.idempotency_keys WHERE event_id = 4101 AND idempotency_key = 'k-1';
SELECT outcome, ticket_id FROM ticketing.claim_ticket(4101, 1, 'ann', idempotency_key => 'k-1');
SELECT request_no, outcome, ticket_id FROM ticketing.claim_batch(4101, ARRAY[
    ROW(1, 'ann', 'k-1')::ticketing.claim_request]);
SELECT * FROM pg_temp.try($$SELECT outcome FROM ticketing.claim_ticket(4101, 6, 'ann', idempotency_key => 'k-1')$$);
SELECT count(*) AS sold FROM ticketing.tickets WHERE event_id = 4101 AND status = 'sold';
SELECT count(*) AS violations FROM ticketing.verify(4101);
