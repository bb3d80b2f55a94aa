--
-- 09_claim_tickets: multi-seat orders (1.1). All or nothing: every ticket is sold (or
-- held) to the customer, or nothing changes and the answer names the tickets in the
-- way. Successful answers list every requested ticket in ascending id order.
--
\set VERBOSITY terse

\i sql/include/try.sql

SELECT ticketing.create_event('Order test', event_id => 901);
SELECT ticketing.add_tickets(901, 12);
SELECT ticketing.create_event('Order test, holds', event_id => 902);
SELECT ticketing.add_tickets(902, 8);
SELECT ticketing.create_event('Order test, a hundred seats', event_id => 903);
SELECT ticketing.add_tickets(903, 101);

-- The result type.
SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_attribute a
 WHERE a.attrelid = (SELECT typrelid FROM pg_type WHERE oid = 'ticketing.order_result'::regtype)
   AND a.attnum > 0
 ORDER BY a.attnum;

-------------------------------------------------------------------------------
-- claimed
-------------------------------------------------------------------------------
-- The ids come back in ascending order whatever order they were asked in; one audit
-- row per ticket, all at the answer's `at`.
SELECT outcome, event_id, ticket_ids, seats, remaining, at = now() AS at_is_now, hold_expires_at
  FROM ticketing.claim_tickets(901, ARRAY[3, 1, 2], 'alice');
SELECT ticket_id, status, owner FROM ticketing.tickets
 WHERE event_id = 901 AND ticket_id <= 3 ORDER BY ticket_id;
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 901 ORDER BY audit_id;
SELECT count(DISTINCT at) AS distinct_audit_times FROM ticketing.audit_log WHERE event_id = 901;

-- One ticket is an order too.
SELECT outcome, ticket_ids, seats FROM ticketing.claim_tickets(901, ARRAY[5], 'bob');
-- Every wait policy sells unlocked tickets.
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(901, ARRAY[6], 'bob', wait => 'nowait');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(901, ARRAY[10], 'bob', wait => 'skip');

-------------------------------------------------------------------------------
-- already_owned: every ticket is the customer's already. Nothing is locked or written.
-------------------------------------------------------------------------------
SELECT count(*) AS audit_before FROM ticketing.audit_log \gset
BEGIN;
SELECT outcome, event_id, ticket_ids, seats, remaining, hold_expires_at
  FROM ticketing.claim_tickets(901, ARRAY[2, 3, 1], 'alice');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(901, ARRAY[1], 'alice', wait => 'skip');
SELECT pg_current_xact_id_if_assigned() IS NULL AS no_xid_after_already_owned;
COMMIT;
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;

-- Tickets the customer owns may be part of a larger order: they are listed, but
-- neither changed nor audited again.
SELECT outcome, ticket_ids, seats FROM ticketing.claim_tickets(901, ARRAY[4, 2], 'alice');
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 901 AND ticket_id IN (2, 4) ORDER BY audit_id;
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;

-------------------------------------------------------------------------------
-- Blocked orders change nothing and name the tickets in the way.
--   901: 1-4 alice's, 5, 6, 10 bob's; 7 carol's live hold; 8 dave's lapsed hold
-------------------------------------------------------------------------------
SELECT outcome FROM ticketing.hold_ticket(901, 7, 'carol');
SELECT outcome FROM ticketing.hold_ticket(901, 8, 'dave');
UPDATE ticketing.tickets SET hold_expires_at = now() - interval '1 minute'
 WHERE event_id = 901 AND ticket_id = 8;
SELECT hold_expires_at AS carol_expiry FROM ticketing.tickets WHERE event_id = 901 AND ticket_id = 7 \gset

SELECT count(*) AS audit_before FROM ticketing.audit_log \gset
BEGIN;
-- already_sold: the sold ones among the tickets asked for.
SELECT outcome, event_id, ticket_ids, seats, remaining
  FROM ticketing.claim_tickets(901, ARRAY[9, 1, 11, 3], 'bob');
SELECT outcome, ticket_ids, seats FROM ticketing.claim_tickets(901, ARRAY[5, 11], 'alice');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(901, ARRAY[5, 11], 'alice', wait => 'nowait');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(901, ARRAY[5, 11], 'alice', wait => 'skip');
-- held: another customer's live hold among them.
SELECT outcome, event_id, ticket_ids, seats, remaining
  FROM ticketing.claim_tickets(901, ARRAY[11, 7, 9], 'bob');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(901, ARRAY[7, 9], 'bob', wait => 'skip');
-- not_found: unknown tickets, or an unknown event (then every ticket is unknown).
SELECT outcome, event_id, ticket_ids, seats, remaining
  FROM ticketing.claim_tickets(901, ARRAY[14, 9, 13], 'bob');
SELECT outcome, event_id, ticket_ids, seats, remaining
  FROM ticketing.claim_tickets(999999, ARRAY[2, 1], 'bob');
SELECT pg_current_xact_id_if_assigned() IS NULL AS no_xid_after_blocked;
COMMIT;
-- The answers name no other customer.
SELECT r::text ~ '(alice|carol)' AS reveals_owner
  FROM ticketing.claim_tickets(901, ARRAY[1, 2, 9], 'bob') AS r;
SELECT r::text ~ 'carol' AS reveals_holder
  FROM ticketing.claim_tickets(901, ARRAY[7, 9], 'bob') AS r;
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;
SELECT ticket_id, status, owner FROM ticketing.tickets
 WHERE event_id = 901 AND ticket_id IN (9, 11, 12) ORDER BY ticket_id;

-- Lapsed holds are claimable: dave's lapsed hold on 8 is sold to bob with 9
-- (held -> sold, available -> sold).
SELECT outcome, ticket_ids, seats FROM ticketing.claim_tickets(901, ARRAY[9, 8], 'bob');
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 901 AND ticket_id IN (8, 9) ORDER BY audit_id;
-- The customer's own live hold is sold with the rest: carol buys 7 and 11.
SELECT outcome, ticket_ids, seats, hold_expires_at FROM ticketing.claim_tickets(901, ARRAY[11, 7], 'carol');
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 901 AND ticket_id IN (7, 11) ORDER BY audit_id;

-- An order that rolls back leaves nothing.
BEGIN;
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(901, ARRAY[12], 'erin');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(901, ARRAY[12], 'frank');
ROLLBACK;
SELECT status, owner FROM ticketing.tickets WHERE event_id = 901 AND ticket_id = 12;
SELECT count(*) AS audit_rows_for_12 FROM ticketing.audit_log WHERE event_id = 901 AND ticket_id = 12;

SELECT ticket_id, status, owner, hold_expires_at FROM ticketing.tickets WHERE event_id = 901 ORDER BY ticket_id;
SELECT * FROM ticketing.event_summary(901);
SELECT * FROM ticketing.verify(901);

-------------------------------------------------------------------------------
-- hold_for: the order places holds (hold_placed) instead of selling.
-------------------------------------------------------------------------------
SELECT outcome, event_id, ticket_ids, seats, remaining, at = now() AS at_is_now,
       hold_expires_at = now() + interval '15 minutes' AS expires_in_15_minutes
  FROM ticketing.claim_tickets(902, ARRAY[2, 1], 'alice', hold_for => interval '15 minutes');
SELECT ticket_id, status, owner, hold_expires_at = updated_at + interval '15 minutes' AS expiry_matches
  FROM ticketing.tickets WHERE event_id = 902 AND ticket_id <= 2 ORDER BY ticket_id;
-- Holding again renews the holds (held -> held) and takes a new ticket along.
SELECT outcome, ticket_ids, hold_expires_at = now() + interval '1 hour' AS expires_in_an_hour
  FROM ticketing.claim_tickets(902, ARRAY[1, 2, 3], 'alice', hold_for => interval '1 hour');
-- Someone else's live hold blocks a hold order too.
SELECT outcome, ticket_ids, seats
  FROM ticketing.claim_tickets(902, ARRAY[3, 4], 'bob', hold_for => interval '1 hour');
-- A plain order of the holder turns the holds into sales.
SELECT outcome, ticket_ids, hold_expires_at FROM ticketing.claim_tickets(902, ARRAY[1, 2], 'alice');
-- A hold order over sold tickets of the customer: already_owned for all of them, and a
-- sold ticket stays sold when it comes along with one to hold.
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(902, ARRAY[1, 2], 'alice', hold_for => interval '1 hour');
SELECT outcome, ticket_ids, hold_expires_at IS NOT NULL AS has_expiry
  FROM ticketing.claim_tickets(902, ARRAY[1, 4], 'alice', hold_for => interval '1 hour');
-- Another customer's sale blocks a hold order: already_sold.
SELECT outcome, ticket_ids
  FROM ticketing.claim_tickets(902, ARRAY[2, 5], 'bob', hold_for => interval '1 hour');
-- A lapsed hold can be held by someone else.
UPDATE ticketing.tickets SET hold_expires_at = now() - interval '1 minute'
 WHERE event_id = 902 AND ticket_id = 3;
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(902, ARRAY[3, 5], 'bob', hold_for => interval '1 hour');
-- The holds are ordinary holds: confirm_hold and release_hold work on them.
SELECT outcome FROM ticketing.confirm_hold(902, 3, 'bob');
SELECT outcome FROM ticketing.release_hold(902, 5, 'bob');

SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 902 ORDER BY ticket_id;
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 902 ORDER BY audit_id;
SELECT * FROM ticketing.verify(902);

-------------------------------------------------------------------------------
-- At most 100 tickets per order.
-------------------------------------------------------------------------------
SELECT outcome, cardinality(ticket_ids) AS tickets, ticket_ids[1] AS first, ticket_ids[100] AS last,
       seats[100] AS last_seat
  FROM ticketing.claim_tickets(903, ARRAY(SELECT generate_series(100, 1, -1))::bigint[], 'alice');
SELECT count(*) AS sold FROM ticketing.tickets WHERE event_id = 903 AND status = 'sold';
SELECT count(*) AS audit_rows FROM ticketing.audit_log WHERE event_id = 903;
-- A hundred unknown tickets are all named.
SELECT outcome, cardinality(ticket_ids) AS tickets, ticket_ids[1] AS first, ticket_ids[100] AS last
  FROM ticketing.claim_tickets(903, ARRAY(SELECT generate_series(1001, 1100))::bigint[], 'alice');

-------------------------------------------------------------------------------
-- Bad input: errors, never outcomes, and nothing changes.
-------------------------------------------------------------------------------
SELECT count(*) AS audit_before FROM ticketing.audit_log \gset
SELECT ord, t.*
  FROM (VALUES
        -- the array: NULL or NULL elements 22004; empty, too long, duplicates,
        -- non-positive ids, several dimensions 22023
        (1, $$SELECT ticketing.claim_tickets(901, NULL, 'erin')$$),
        (2, $$SELECT ticketing.claim_tickets(901, ARRAY[12, NULL], 'erin')$$),
        (3, $$SELECT ticketing.claim_tickets(901, ARRAY[NULL]::bigint[], 'erin')$$),
        (4, $$SELECT ticketing.claim_tickets(901, ARRAY[]::bigint[], 'erin')$$),
        (5, $$SELECT ticketing.claim_tickets(901, '{}', 'erin')$$),
        (6, $$SELECT ticketing.claim_tickets(901, ARRAY[12, 12], 'erin')$$),
        (7, $$SELECT ticketing.claim_tickets(901, ARRAY[12, 1, 12], 'erin')$$),
        (8, $$SELECT ticketing.claim_tickets(903, ARRAY(SELECT generate_series(1, 101))::bigint[], 'erin')$$),
        (9, $$SELECT ticketing.claim_tickets(901, ARRAY[12, 0], 'erin')$$),
        (10, $$SELECT ticketing.claim_tickets(901, ARRAY[-12], 'erin')$$),
        (11, $$SELECT ticketing.claim_tickets(901, ARRAY[[12, 1], [2, 3]], 'erin')$$),
        -- the other arguments
        (12, $$SELECT ticketing.claim_tickets(NULL, ARRAY[12], 'erin')$$),
        (13, $$SELECT ticketing.claim_tickets(0, ARRAY[12], 'erin')$$),
        (14, $$SELECT ticketing.claim_tickets(901, ARRAY[12], NULL)$$),
        (15, $$SELECT ticketing.claim_tickets(901, ARRAY[12], '')$$),
        (16, $$SELECT ticketing.claim_tickets(901, ARRAY[12], repeat('x', 201))$$),
        (17, $$SELECT ticketing.claim_tickets(901, ARRAY[12], 'erin', wait => NULL)$$),
        (18, $$SELECT ticketing.claim_tickets(901, ARRAY[12], 'erin', wait => 'bogus')$$),
        (19, $$SELECT ticketing.claim_tickets(901, ARRAY[12], 'erin', hold_for => interval '0')$$),
        (20, $$SELECT ticketing.claim_tickets(901, ARRAY[12], 'erin', hold_for => interval '31 days')$$),
        (21, $$SELECT ticketing.claim_tickets(901, ARRAY[12], 'erin', idempotency_key => '')$$),
        -- checked before anything is looked up
        (22, $$SELECT ticketing.claim_tickets(999999, ARRAY[1, 1], 'erin')$$),
        (23, $$SELECT ticketing.claim_tickets(901, ARRAY[1, 2], 'erin', hold_for => interval '-1 hour')$$)
       ) AS v(ord, stmt),
       LATERAL pg_temp.try(v.stmt) AS t
 ORDER BY ord;
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;
SELECT status, owner FROM ticketing.tickets WHERE event_id = 901 AND ticket_id = 12;

-- As the client sees it.
SELECT * FROM ticketing.claim_tickets(901, NULL, 'erin');
\echo :SQLSTATE
SELECT * FROM ticketing.claim_tickets(901, ARRAY[12, NULL], 'erin');
\echo :SQLSTATE
SELECT * FROM ticketing.claim_tickets(901, ARRAY[]::bigint[], 'erin');
\echo :SQLSTATE
\set VERBOSITY default
SELECT * FROM ticketing.claim_tickets(901, ARRAY[12, 12], 'erin');
\set VERBOSITY terse

-- A read-only transaction refuses every order (25006).
BEGIN READ ONLY;
SELECT ord, t.*
  FROM (VALUES
        (1, $$SELECT ticketing.claim_tickets(901, ARRAY[12], 'erin')$$),
        (2, $$SELECT ticketing.claim_tickets(901, ARRAY[1], 'alice')$$),
        (3, $$SELECT ticketing.claim_tickets(901, ARRAY[99], 'alice')$$),
        (4, $$SELECT ticketing.claim_tickets(901, ARRAY[12], 'erin', hold_for => interval '1 hour')$$)
       ) AS v(ord, stmt),
       LATERAL pg_temp.try(v.stmt) AS t
 ORDER BY ord;
COMMIT;

SELECT * FROM ticketing.verify(901);
SELECT * FROM ticketing.verify(903);
