-- claim_batch: many independent claims in one call, one outcome per request.
SELECT ticketing.create_event('Batch', event_id => 9201);
SELECT ticketing.add_tickets(9201, 6);
SELECT ticketing.create_event('Batch, limited', per_customer_limit => 1, event_id => 9202);
SELECT ticketing.add_tickets(9202, 3);
SELECT outcome FROM ticketing.claim_ticket(9201, 6, 'zoe');
SELECT outcome FROM ticketing.hold_ticket(9201, 5, 'zoe', interval '1 hour');

-- Given tickets, any seats, a conflict within the batch, tickets sold or held elsewhere,
-- an unknown ticket: each request has its own answer, in request order.
SELECT request_no, outcome, ticket_id, seat, at IS NOT NULL AS has_at
  FROM ticketing.claim_batch(9201, ARRAY[
        ROW(1, 'alice', NULL),
        ROW(1, 'bob', NULL),
        ROW(1, 'alice', NULL),
        ROW(6, 'bob', NULL),
        ROW(6, 'zoe', NULL),
        ROW(5, 'bob', NULL),
        ROW(99, 'carol', NULL)]::ticketing.claim_request[]);

-- Any-seat requests get distinct tickets among those left (2, 3, 4), then sold_out.
SELECT request_no, outcome, ticket_id IS NOT NULL AS got_ticket
  FROM ticketing.claim_batch(9201, ARRAY[
        ROW(NULL, 'dave', NULL), ROW(NULL, 'erin', NULL),
        ROW(NULL, 'frank', NULL), ROW(NULL, 'gina', NULL)]::ticketing.claim_request[]);
SELECT string_agg(owner, ', ' ORDER BY owner) AS buyers_of_2_to_4
  FROM ticketing.tickets WHERE event_id = 9201 AND ticket_id BETWEEN 2 AND 4 AND status = 'sold';
SELECT ticket_id, status, owner FROM ticketing.tickets
 WHERE event_id = 9201 AND ticket_id NOT BETWEEN 2 AND 4 ORDER BY ticket_id;
SELECT count(*) AS sales, count(DISTINCT ticket_id) AS tickets
  FROM ticketing.audit_log WHERE event_id = 9201 AND to_status = 'sold';

-- Per-customer limits count across the batch and against what the customer owns.
SELECT request_no, outcome, ticket_id
  FROM ticketing.claim_batch(9202, ARRAY[
        ROW(1, 'alice', NULL), ROW(2, 'alice', NULL), ROW(2, 'bob', NULL),
        ROW(NULL, 'bob', NULL), ROW(NULL, 'carol', NULL)]::ticketing.claim_request[]);

-- Idempotency keys: a retried batch replays its keyed requests; a reused key with
-- another request is TK001.
SELECT ticketing.create_event('Batch, keys', event_id => 9203);
SELECT ticketing.add_tickets(9203, 3);
SELECT request_no, outcome, ticket_id = 1 AS ticket_1
  FROM ticketing.claim_batch(9203, ARRAY[
        ROW(1, 'alice', 'a-1'), ROW(NULL, 'bob', 'b-1')]::ticketing.claim_request[])
 ORDER BY request_no;
CREATE TEMP TABLE first_answer AS
SELECT ticket_id FROM ticketing.audit_log WHERE event_id = 9203 AND customer = 'bob';
SELECT request_no, outcome, ticket_id = (SELECT ticket_id FROM first_answer) AS same_ticket
  FROM ticketing.claim_batch(9203, ARRAY[ROW(NULL, 'bob', 'b-1')]::ticketing.claim_request[]);
SELECT request_no, outcome, ticket_id
  FROM ticketing.claim_batch(9203, ARRAY[ROW(1, 'alice', 'a-1')]::ticketing.claim_request[]);
SELECT count(*) AS sales FROM ticketing.audit_log WHERE event_id = 9203;
\set VERBOSITY sqlstate
SELECT * FROM ticketing.claim_batch(9203, ARRAY[ROW(2, 'alice', 'a-1')]::ticketing.claim_request[]);
\set VERBOSITY default

-- An unknown event answers not_found for every request.
SELECT request_no, outcome, ticket_id
  FROM ticketing.claim_batch(9299, ARRAY[ROW(1, 'a', NULL), ROW(NULL, 'b', NULL)]::ticketing.claim_request[]);

-- Bad input is an error for the whole call.
SELECT * FROM ticketing.claim_batch(NULL, ARRAY[ROW(1, 'a', NULL)]::ticketing.claim_request[]);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ticketing.claim_batch(9201, NULL::ticketing.claim_request[]);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ticketing.claim_batch(9201, ARRAY[]::ticketing.claim_request[]);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ticketing.claim_batch(9201, ARRAY[NULL]::ticketing.claim_request[]);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ticketing.claim_batch(9201, ARRAY[ROW(1, NULL, NULL)]::ticketing.claim_request[]);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ticketing.claim_batch(9201, ARRAY[ROW(1, '', NULL)]::ticketing.claim_request[]);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ticketing.claim_batch(9201, ARRAY[ROW(0, 'a', NULL)]::ticketing.claim_request[]);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ticketing.claim_batch(9201, ARRAY[ROW(1, 'a', '')]::ticketing.claim_request[]);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ticketing.claim_batch(9201,
    ARRAY(SELECT ROW(NULL, 'c' || g, NULL)::ticketing.claim_request FROM generate_series(1, 1001) g));
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ticketing.claim_batch(9201, '{{"(1,a,)"},{"(2,a,)"}}'::ticketing.claim_request[]);
\echo :LAST_ERROR_SQLSTATE
BEGIN READ ONLY;
SELECT * FROM ticketing.claim_batch(9201, ARRAY[ROW(1, 'a', NULL)]::ticketing.claim_request[]);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- One idempotency key stands for one request: two requests of one batch with the same
-- customer and key are refused (22023) before anything runs; the same key for two
-- customers is two keys.
SELECT * FROM ticketing.claim_batch(9201, ARRAY[ROW(3, 'dup', 'k-dup'), ROW(4, 'dup', 'k-dup')]::ticketing.claim_request[]);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ticketing.claim_batch(9201, ARRAY[ROW(3, 'dup', 'k-dup'), ROW(NULL, 'dup', 'k-dup')]::ticketing.claim_request[]);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS keys FROM ticketing.idempotency_keys WHERE idempotency_key = 'k-dup';
SELECT request_no, outcome FROM ticketing.claim_batch(9201, ARRAY[ROW(3, 'dup-a', 'k-dup'), ROW(4, 'dup-b', 'k-dup')]::ticketing.claim_request[]);
SELECT request_no, outcome, ticket_id FROM ticketing.claim_batch(9201, ARRAY[ROW(3, 'dup-a', 'k-dup')]::ticketing.claim_request[]);

SELECT * FROM ticketing.verify();
