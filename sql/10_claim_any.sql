--
-- 10_claim_any: general admission and best-available seating (1.1). claim_any picks
-- `quantity` claimable tickets (available, or with a lapsed hold) from a random
-- starting point, so which tickets it picks is only printed where the choice is
-- forced; otherwise the answer is checked for its shape. adjacent => true picks seats
-- next to each other in one row, lowest ticket ids first.
--
\set VERBOSITY terse

\i sql/include/try.sql

-- The ids of an answer in ascending order.
CREATE FUNCTION pg_temp.sorted(ids bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_agg(i ORDER BY i), '{}') FROM unnest(ids) AS i
$$;

-- Whether an answer's seats are the seats of its tickets, position by position, and
-- every ticket belongs to `customer` with status `status`.
CREATE FUNCTION pg_temp.consistent(e bigint, r ticketing.order_result, customer text, status text)
RETURNS boolean
LANGUAGE sql AS $$
    SELECT cardinality(r.ticket_ids) = cardinality(r.seats)
       AND cardinality(r.ticket_ids) = (SELECT count(DISTINCT i) FROM unnest(r.ticket_ids) AS i)
       AND NOT EXISTS (
            SELECT 1
              FROM unnest(r.ticket_ids, r.seats) AS a(id, seat)
              LEFT JOIN ticketing.tickets t ON t.event_id = e AND t.ticket_id = a.id
             WHERE t.seat IS DISTINCT FROM a.seat OR t.owner IS DISTINCT FROM customer
                OR t.status IS DISTINCT FROM status)
$$;

SELECT ticketing.create_event('Any test', event_id => 1001);
SELECT ticketing.add_tickets(1001, 6);
SELECT ticketing.create_event('Any test, holds', event_id => 1002);
SELECT ticketing.add_tickets(1002, 4);
SELECT ticketing.create_event('Any test, sections', event_id => 1003);
SELECT ticketing.add_tickets(1003, ARRAY['A-1-1', 'A-1-2', 'A-2-1', 'AB-1-1', 'AB-1-2', 'B-1-1',
                                         'B-1-2', 'B-1-3', 'A', 'A1', 'Box A-1']);
SELECT ticketing.create_event('Any test, adjacent', event_id => 1004);
SELECT ticketing.add_tickets(1004, ARRAY[
    'A-1-1', 'A-1-2', 'A-1-3', 'A-1-4', 'A-1-5',   -- 1-5
    'A-2-1', 'A-2-2', 'A-2-3',                     -- 6-8
    'B-7', 'B-8', 'B-10',                          -- 9-11: SECTION-NUMBER
    'Box 1', 'Box 2',                              -- 12-13: not SECTION[-ROW]-NUMBER
    'C-1-3', 'C-1-1', 'C-1-2',                     -- 14-16: loaded out of order
    'D-1-01', 'D-1-02',                            -- 17-18: leading zeros: not numbers
    'E-1-9', 'E-1-10',                             -- 19-20: numbers, not text
    'F-1-5', 'F-2-6',                              -- 21-22: different rows
    'G-1-1', 'H-1-2',                              -- 23-24: different sections
    'J-1-1', 'J-1-2', 'J-1-3', 'J-1-4']);          -- 25-28
SELECT ticketing.create_event('Any test, empty', event_id => 1005);
SELECT ticketing.create_event('Any test, large', event_id => 1006);
SELECT ticketing.add_tickets(1006, 150);

-------------------------------------------------------------------------------
-- claimed, insufficient, sold_out, not_found
-------------------------------------------------------------------------------
-- One ticket by default.
SELECT outcome, event_id, cardinality(ticket_ids) AS tickets, remaining, at = now() AS at_is_now,
       hold_expires_at, pg_temp.consistent(1001, r, 'alice', 'sold') AS consistent
  FROM ticketing.claim_any(1001, 'alice') AS r;
SELECT outcome, cardinality(ticket_ids) AS tickets, remaining,
       pg_temp.consistent(1001, r, 'bob', 'sold') AS consistent
  FROM ticketing.claim_any(1001, 'bob', 3) AS r;
-- One audit row per ticket, available -> sold, at the answer's time.
SELECT customer, from_status, to_status, count(*) AS tickets, count(DISTINCT at) AS times
  FROM ticketing.audit_log WHERE event_id = 1001 GROUP BY 1, 2, 3 ORDER BY 1;
-- Two are left: three is too many (insufficient, remaining 2, nothing changes).
SELECT count(*) AS audit_before FROM ticketing.audit_log \gset
SELECT outcome, event_id, ticket_ids, seats, remaining, at, hold_expires_at
  FROM ticketing.claim_any(1001, 'carol', 3);
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;
-- Two are exactly the two that are left.
SELECT pg_temp.sorted(array_agg(ticket_id)) AS left_over
  FROM ticketing.tickets WHERE event_id = 1001 AND status = 'available' \gset
SELECT outcome, pg_temp.sorted(ticket_ids) = :'left_over' AS the_two_left, remaining,
       pg_temp.consistent(1001, r, 'carol', 'sold') AS consistent
  FROM ticketing.claim_any(1001, 'carol', 2) AS r;
-- Nothing is left: sold_out, remaining 0.
SELECT outcome, event_id, ticket_ids, seats, remaining, at, hold_expires_at
  FROM ticketing.claim_any(1001, 'dave');
SELECT outcome, remaining FROM ticketing.claim_any(1001, 'dave', 5);
-- An event without tickets is sold out; an unknown event is not_found.
SELECT outcome, event_id, ticket_ids, seats, remaining FROM ticketing.claim_any(1005, 'dave');
SELECT outcome, event_id, ticket_ids, seats, remaining, at, hold_expires_at
  FROM ticketing.claim_any(1099999, 'dave');
SELECT owner, count(*) AS tickets FROM ticketing.tickets
 WHERE event_id = 1001 GROUP BY owner ORDER BY owner COLLATE "C";
SELECT * FROM ticketing.verify(1001);

-- Answers that change nothing take no lock and write nothing.
BEGIN;
SELECT outcome FROM ticketing.claim_any(1001, 'dave');
SELECT outcome FROM ticketing.claim_any(1099999, 'dave');
SELECT pg_current_xact_id_if_assigned() IS NULL AS no_xid;
COMMIT;

-- At most 100 tickets at once, and that many is fine.
SELECT outcome, cardinality(ticket_ids) AS tickets,
       pg_temp.consistent(1006, r, 'erin', 'sold') AS consistent
  FROM ticketing.claim_any(1006, 'erin', 100) AS r;
SELECT outcome, remaining FROM ticketing.claim_any(1006, 'erin', 51);
SELECT outcome, cardinality(ticket_ids) AS tickets FROM ticketing.claim_any(1006, 'erin', 50);
SELECT count(*) AS sold_to_erin FROM ticketing.tickets WHERE event_id = 1006 AND owner = 'erin';
SELECT * FROM ticketing.verify(1006);

-------------------------------------------------------------------------------
-- Holds. 1002: 1 sold, 2 erin's lapsed hold, 3 frank's live hold, 4 available.
-------------------------------------------------------------------------------
SELECT outcome FROM ticketing.claim_ticket(1002, 1, 'dave');
SELECT outcome FROM ticketing.hold_ticket(1002, 2, 'erin');
SELECT outcome FROM ticketing.hold_ticket(1002, 3, 'frank');
UPDATE ticketing.tickets SET hold_expires_at = now() - interval '1 minute'
 WHERE event_id = 1002 AND ticket_id = 2;
-- The lapsed hold counts as claimable, the live one does not.
SELECT outcome, ticket_ids, remaining FROM ticketing.claim_any(1002, 'gina', 3);
-- hold_for places holds: the two claimable tickets, 2 and 4.
SELECT outcome, pg_temp.sorted(ticket_ids) AS ticket_ids, remaining, at = now() AS at_is_now,
       hold_expires_at = now() + interval '20 minutes' AS expires_in_20_minutes,
       pg_temp.consistent(1002, r, 'gina', 'held') AS consistent
  FROM ticketing.claim_any(1002, 'gina', 2, hold_for => interval '20 minutes') AS r;
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 1002 AND customer = 'gina' ORDER BY ticket_id;
-- Live holds are not claimable, not even by their holder: sold out.
SELECT outcome, remaining FROM ticketing.claim_any(1002, 'gina');
SELECT outcome, remaining FROM ticketing.claim_any(1002, 'frank');
-- Once gina's hold on 4 lapses it is claimable again, by anyone (held -> sold).
UPDATE ticketing.tickets SET hold_expires_at = now() - interval '1 minute'
 WHERE event_id = 1002 AND ticket_id = 4;
SELECT outcome, ticket_ids, seats FROM ticketing.claim_any(1002, 'harry');
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 1002 AND ticket_id = 4 ORDER BY audit_id;
SELECT outcome FROM ticketing.confirm_hold(1002, 2, 'gina');
SELECT outcome FROM ticketing.confirm_hold(1002, 4, 'gina');
SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 1002 ORDER BY ticket_id;
SELECT * FROM ticketing.verify(1002);

-------------------------------------------------------------------------------
-- section and seat_prefix. 1003:
--   1 A-1-1  2 A-1-2  3 A-2-1  4 AB-1-1  5 AB-1-2  6 B-1-1  7 B-1-2  8 B-1-3
--   9 A  10 A1  11 Box A-1
-------------------------------------------------------------------------------
-- section 'A' means labels starting 'A-': three of them (not AB-, A, A1 or Box A-1).
SELECT outcome, remaining FROM ticketing.claim_any(1003, 'alice', 4, section => 'A');
SELECT outcome, pg_temp.sorted(ticket_ids) AS ticket_ids, remaining,
       pg_temp.consistent(1003, r, 'alice', 'sold') AS consistent
  FROM ticketing.claim_any(1003, 'alice', 3, section => 'A') AS r;
SELECT outcome, remaining FROM ticketing.claim_any(1003, 'alice', section => 'A');
-- seat_prefix is any prefix of the label.
SELECT outcome, remaining FROM ticketing.claim_any(1003, 'bob', 3, seat_prefix => 'AB');
SELECT outcome, pg_temp.sorted(ticket_ids) AS ticket_ids, remaining
  FROM ticketing.claim_any(1003, 'bob', 2, seat_prefix => 'AB');
SELECT outcome, ticket_ids, seats FROM ticketing.claim_any(1003, 'bob', seat_prefix => 'B-1-3');
SELECT outcome, ticket_ids, seats FROM ticketing.claim_any(1003, 'bob', seat_prefix => 'Box');
-- The prefix is compared exactly, case included; an unknown section is sold out.
SELECT outcome, remaining FROM ticketing.claim_any(1003, 'bob', seat_prefix => 'b-');
SELECT outcome, remaining FROM ticketing.claim_any(1003, 'bob', section => 'b');
SELECT outcome, remaining FROM ticketing.claim_any(1003, 'bob', section => 'Z');
-- A section with two left, then none.
SELECT outcome, remaining FROM ticketing.claim_any(1003, 'carol', 3, section => 'B');
SELECT outcome, pg_temp.sorted(ticket_ids) AS ticket_ids
  FROM ticketing.claim_any(1003, 'carol', 2, section => 'B');
SELECT outcome, remaining FROM ticketing.claim_any(1003, 'carol', section => 'B');
-- Without a restriction, the two unsectioned seats are what is left.
SELECT outcome, pg_temp.sorted(ticket_ids) AS ticket_ids, seats IS NOT NULL AS has_seats
  FROM ticketing.claim_any(1003, 'dave', 2);
SELECT ticket_id, seat, status, owner FROM ticketing.tickets WHERE event_id = 1003 ORDER BY ticket_id;
SELECT * FROM ticketing.verify(1003);

-------------------------------------------------------------------------------
-- adjacent => true. 1004 (ticket id: label):
--    1-5: A-1-1..A-1-5      6-8: A-2-1..A-2-3      9: B-7  10: B-8  11: B-10
--   12: Box 1  13: Box 2   14: C-1-3  15: C-1-1  16: C-1-2   17: D-1-01  18: D-1-02
--   19: E-1-9  20: E-1-10  21: F-1-5  22: F-2-6   23: G-1-1  24: H-1-2
--   25-28: J-1-1..J-1-4
-------------------------------------------------------------------------------
SELECT outcome FROM ticketing.claim_ticket(1004, 2, 'zoe');
-- Seat 2 of row A-1 is gone: the first pair is 3-4.
SELECT outcome, event_id, ticket_ids, seats, remaining, at = now() AS at_is_now
  FROM ticketing.claim_any(1004, 'alice', 2, adjacent => true);
-- Three together: row A-1 has only 1 and 5 left, so row A-2.
SELECT outcome, ticket_ids, seats FROM ticketing.claim_any(1004, 'alice', 3, adjacent => true);
-- Rows of SECTION-NUMBER labels: B-7 and B-8 (B-10 is not next to them).
SELECT outcome, ticket_ids, seats FROM ticketing.claim_any(1004, 'bob', 2, adjacent => true, section => 'B');
SELECT outcome, remaining FROM ticketing.claim_any(1004, 'bob', 2, adjacent => true, section => 'B');
-- Labels loaded out of order: seat numbers, not ticket ids, make the block.
SELECT outcome, ticket_ids, seats FROM ticketing.claim_any(1004, 'carol', 3, adjacent => true, section => 'C');
-- Numbers with leading zeros are not seat numbers: no pair in D.
SELECT outcome, ticket_ids, remaining FROM ticketing.claim_any(1004, 'dave', 2, adjacent => true, section => 'D');
-- ... but they are ordinary seats without adjacent.
SELECT outcome, pg_temp.sorted(ticket_ids) AS ticket_ids,
       (SELECT array_agg(x ORDER BY x COLLATE "C") FROM unnest(seats) AS x) AS seats
  FROM ticketing.claim_any(1004, 'dave', 2, section => 'D');
-- Seat numbers compare as numbers: E-1-9 and E-1-10 are neighbours.
SELECT outcome, ticket_ids, seats FROM ticketing.claim_any(1004, 'erin', 2, adjacent => true, seat_prefix => 'E-');
-- Different rows, different sections: never adjacent.
SELECT outcome, ticket_ids, remaining FROM ticketing.claim_any(1004, 'frank', 2, adjacent => true, section => 'F');
SELECT outcome, ticket_ids, remaining FROM ticketing.claim_any(1004, 'frank', 2, adjacent => true, seat_prefix => 'G');
SELECT outcome, ticket_ids, remaining FROM ticketing.claim_any(1004, 'frank', 2, adjacent => true, seat_prefix => 'H');
-- A live hold splits a row; a lapsed hold does not. J-1-2 is held, J-1-3 lapsed.
SELECT outcome FROM ticketing.hold_ticket(1004, 26, 'gina');
SELECT outcome FROM ticketing.hold_ticket(1004, 27, 'harry');
UPDATE ticketing.tickets SET hold_expires_at = now() - interval '1 minute'
 WHERE event_id = 1004 AND ticket_id = 27;
SELECT outcome, ticket_ids, remaining FROM ticketing.claim_any(1004, 'ivan', 3, adjacent => true, section => 'J');
SELECT outcome, ticket_ids, seats,
       hold_expires_at = now() + interval '5 minutes' AS expires_in_5_minutes
  FROM ticketing.claim_any(1004, 'ivan', 2, adjacent => true, section => 'J',
                           hold_for => interval '5 minutes');
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 1004 AND ticket_id >= 25 ORDER BY audit_id;
-- Whatever is left has no pair anywhere: insufficient, with the count of claimable
-- seats; sold_out once nothing is left in the section.
SELECT ticket_id, seat FROM ticketing.tickets
 WHERE event_id = 1004 AND status = 'available' ORDER BY ticket_id;
SELECT outcome, ticket_ids, remaining FROM ticketing.claim_any(1004, 'judy', 2, adjacent => true);
SELECT outcome, ticket_ids, remaining FROM ticketing.claim_any(1004, 'judy', 2, adjacent => true, section => 'C');
SELECT outcome, ticket_ids, remaining FROM ticketing.claim_any(1004, 'judy', 2, adjacent => true, seat_prefix => 'A-1-');
SELECT ticket_id, seat, status, owner FROM ticketing.tickets WHERE event_id = 1004 ORDER BY ticket_id;
SELECT * FROM ticketing.verify(1004);

-------------------------------------------------------------------------------
-- Bad input.
-------------------------------------------------------------------------------
SELECT count(*) AS audit_before FROM ticketing.audit_log \gset
SELECT ord, t.*
  FROM (VALUES
        (1, $$SELECT ticketing.claim_any(1006, 'kim', 0)$$),
        (2, $$SELECT ticketing.claim_any(1006, 'kim', -1)$$),
        (3, $$SELECT ticketing.claim_any(1006, 'kim', 101)$$),
        (4, $$SELECT ticketing.claim_any(1006, 'kim', 2147483647)$$),
        (5, $$SELECT ticketing.claim_any(1006, 'kim', NULL)$$),
        (6, $$SELECT ticketing.claim_any(1006, 'kim', section => 'GA', seat_prefix => 'GA-')$$),
        (7, $$SELECT ticketing.claim_any(1006, 'kim', section => '')$$),
        (8, $$SELECT ticketing.claim_any(1006, 'kim', seat_prefix => '')$$),
        (9, $$SELECT ticketing.claim_any(1006, 'kim', adjacent => NULL)$$),
        (10, $$SELECT ticketing.claim_any(NULL, 'kim')$$),
        (11, $$SELECT ticketing.claim_any(0, 'kim')$$),
        (12, $$SELECT ticketing.claim_any(1006, NULL)$$),
        (13, $$SELECT ticketing.claim_any(1006, '')$$),
        (14, $$SELECT ticketing.claim_any(1006, repeat('x', 201))$$),
        (15, $$SELECT ticketing.claim_any(1006, 'kim', hold_for => interval '0')$$),
        (16, $$SELECT ticketing.claim_any(1006, 'kim', hold_for => interval '30 days 1 second')$$),
        (17, $$SELECT ticketing.claim_any(1006, 'kim', idempotency_key => '')$$),
        -- checked before anything is looked up
        (18, $$SELECT ticketing.claim_any(1099999, 'kim', 0)$$),
        (19, $$SELECT ticketing.claim_any(1001, 'kim', section => 'A', seat_prefix => 'B')$$)
       ) AS v(ord, stmt),
       LATERAL pg_temp.try(v.stmt) AS t
 ORDER BY ord;
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;

-- As the client sees it.
SELECT * FROM ticketing.claim_any(1006, 'kim', 101);
\echo :SQLSTATE
\set VERBOSITY default
SELECT * FROM ticketing.claim_any(1006, 'kim', section => 'GA', seat_prefix => 'GA-');
\echo :SQLSTATE
\set VERBOSITY terse

-- A read-only transaction refuses it (25006).
BEGIN READ ONLY;
SELECT * FROM ticketing.claim_any(1006, 'kim');
\echo :SQLSTATE
ROLLBACK;
BEGIN READ ONLY;
SELECT * FROM ticketing.claim_any(1001, 'kim');
\echo :SQLSTATE
ROLLBACK;

-- The lock-free walk trusts tickets_claimable_idx only while it is the index the
-- extension made ((event_id, ticket_id) WHERE status <> 'sold'). Redefined by hand, here
-- to cover held tickets only, it would show an event with free tickets as sold out;
-- claim_any then sells through its statements, which do not rely on it.
SELECT ticketing.create_event('Any test, redefined index', event_id => 1007);
SELECT ticketing.add_tickets(1007, 2);
BEGIN;
DROP INDEX ticketing.tickets_claimable_idx;
CREATE INDEX tickets_claimable_idx ON ticketing.tickets (event_id, ticket_id)
    WHERE status = 'held';
SELECT outcome, cardinality(ticket_ids) AS tickets FROM ticketing.claim_any(1007, 'lee');
ROLLBACK;
-- The extension's own index again: the same call sells without a lock.
SELECT outcome, cardinality(ticket_ids) AS tickets FROM ticketing.claim_any(1007, 'lee');
SELECT outcome, cardinality(ticket_ids) AS tickets FROM ticketing.claim_any(1007, 'lee');
SELECT outcome, remaining FROM ticketing.claim_any(1007, 'lee');

-- Adjacent seats are searched for in the whole event: here the only two adjacent seats
-- come after 12,000 seats that are each alone in their row.
SELECT ticketing.create_event('Any test, adjacent at the end', event_id => 1008);
SELECT ticketing.add_tickets(1008, ARRAY(SELECT 'S-' || g || '-1' FROM generate_series(1, 12000) g));
SELECT ticketing.add_tickets(1008, ARRAY['Z-1-1', 'Z-1-2']);
SELECT outcome, ticket_ids, seats FROM ticketing.claim_any(1008, 'mo', 2, adjacent => true);
SELECT outcome, remaining FROM ticketing.claim_any(1008, 'mo', 2, adjacent => true);
-- A block of three in a row of its own (isolation spec adjacent_blocks: a block
-- partly locked elsewhere is passed over, its locks let go).
SELECT ticketing.add_tickets(1008, ARRAY['Y-1-1', 'Y-1-2', 'Y-1-3']);
SELECT outcome, seats FROM ticketing.claim_any(1008, 'ned', 3, adjacent => true);
SELECT * FROM ticketing.verify(1008);

SELECT * FROM ticketing.verify();
