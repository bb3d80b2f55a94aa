--
-- 02_admin: create_event, add_tickets (both forms), event_summary, and their bad input.
--
\set VERBOSITY terse

\i sql/include/try.sql

-------------------------------------------------------------------------------
-- create_event
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Admin: open air', event_id => 201);
SELECT ticketing.create_event('Admin: limited', per_customer_limit => 4,
                              starts_at => '2030-06-01 20:00:00+00', event_id => 202);
SELECT ticketing.create_event('Admin: defaults', NULL, NULL, 203);
SELECT event_id, name, per_customer_limit,
       starts_at = '2030-06-01 20:00:00+00' AS starts_as_given, created_at IS NOT NULL AS created
  FROM ticketing.events WHERE event_id BETWEEN 201 AND 203 ORDER BY event_id;

-- Without event_id the id comes from ticketing.event_id_seq.
SELECT ticketing.create_event('Admin: numbered by the sequence') AS auto_id \gset
SELECT :auto_id > 0 AS positive, name, per_customer_limit, starts_at
  FROM ticketing.events WHERE event_id = :auto_id;
SELECT :auto_id = last_value AS id_is_from_sequence FROM ticketing.event_id_seq;

-- Bad input: nothing is created.
SELECT ord, t.*
  FROM (VALUES
        (1, $$SELECT ticketing.create_event(NULL)$$),
        (2, $$SELECT ticketing.create_event(NULL, event_id => 290)$$),
        (3, $$SELECT ticketing.create_event('')$$),
        (4, $$SELECT ticketing.create_event('', event_id => 290)$$),
        (5, $$SELECT ticketing.create_event('x', per_customer_limit => 0, event_id => 290)$$),
        (6, $$SELECT ticketing.create_event('x', per_customer_limit => -3, event_id => 290)$$),
        (7, $$SELECT ticketing.create_event('x', event_id => 0)$$),
        (8, $$SELECT ticketing.create_event('x', event_id => -290)$$),
        (9, $$SELECT ticketing.create_event('duplicate', event_id => 201)$$),
        (10, $$SELECT ticketing.create_event('duplicate of a numbered one', event_id => $$ || :auto_id || $$)$$)
       ) AS v(ord, stmt),
       LATERAL pg_temp.try(v.stmt) AS t
 ORDER BY ord;
SELECT count(*) AS events_290 FROM ticketing.events WHERE event_id IN (0, 290, -290);
SELECT name FROM ticketing.events WHERE event_id = 201;

-- The same, as the client sees it.
SELECT ticketing.create_event(NULL);
\echo :SQLSTATE
SELECT ticketing.create_event('duplicate', event_id => 201);
\echo :SQLSTATE

-------------------------------------------------------------------------------
-- add_tickets
-------------------------------------------------------------------------------
-- An event without tickets.
SELECT * FROM ticketing.event_summary(201);

SELECT ticketing.add_tickets(201, 3);
SELECT ticketing.add_tickets(201, 2, 'VIP-');
SELECT ticketing.add_tickets(201, ARRAY['Box A', 'GA-10']);
SELECT ticketing.add_tickets(201, quantity => 1, seat_prefix => 'Row 9 / ');
SELECT ticketing.add_tickets(201, 1);
-- Ids are numbered per event from 1, and each load continues after the last one.
SELECT ticket_id, seat, status, owner, hold_expires_at, updated_at IS NOT NULL AS has_updated_at
  FROM ticketing.tickets WHERE event_id = 201 ORDER BY ticket_id;
-- Loading writes no audit rows: a new ticket has never changed.
SELECT count(*) AS audit_rows FROM ticketing.audit_log WHERE event_id = 201;

-- Numbering is per event; seat labels only need to be unique within an event.
SELECT ticketing.add_tickets(202, ARRAY['Box A']);
SELECT ticketing.add_tickets(202, 2, 'Box ');
SELECT ticket_id, seat FROM ticketing.tickets WHERE event_id = 202 ORDER BY ticket_id;

-- Ids continue after a sold ticket, too.
SELECT outcome FROM ticketing.claim_ticket(202, 3, 'admin-buyer');
SELECT ticketing.add_tickets(202, 1);
SELECT ticket_id, seat, status FROM ticketing.tickets WHERE event_id = 202 ORDER BY ticket_id;

-- Bad input: nothing is added.
SELECT ord, t.*
  FROM (VALUES
        (1, $$SELECT ticketing.add_tickets(NULL, 1)$$),
        (2, $$SELECT ticketing.add_tickets(203, NULL::integer)$$),
        (3, $$SELECT ticketing.add_tickets(203, 1, NULL)$$),
        (4, $$SELECT ticketing.add_tickets(203, 0)$$),
        (5, $$SELECT ticketing.add_tickets(203, -1)$$),
        (6, $$SELECT ticketing.add_tickets(203, 10000001)$$),
        (7, $$SELECT ticketing.add_tickets(299999, 1)$$),
        (8, $$SELECT ticketing.add_tickets(NULL, ARRAY['S1'])$$),
        (9, $$SELECT ticketing.add_tickets(203, NULL::text[])$$),
        (10, $$SELECT ticketing.add_tickets(203, ARRAY['S1', NULL])$$),
        (11, $$SELECT ticketing.add_tickets(203, ARRAY[]::text[])$$),
        (12, $$SELECT ticketing.add_tickets(203, ARRAY['S1', ''])$$),
        (13, $$SELECT ticketing.add_tickets(299999, ARRAY['S1'])$$),
        (14, $$SELECT ticketing.add_tickets(201, ARRAY['Box A'])$$),
        (15, $$SELECT ticketing.add_tickets(203, ARRAY['S1', 'S2', 'S1'])$$),
        (16, $$SELECT ticketing.add_tickets(201, 1)$$)
       ) AS v(ord, stmt),
       LATERAL pg_temp.try(v.stmt) AS t
 ORDER BY ord;
SELECT event_id, count(*) AS tickets
  FROM ticketing.tickets WHERE event_id IN (201, 203, 299999) GROUP BY event_id ORDER BY event_id;

-- The same, as the client sees it.
SELECT ticketing.add_tickets(299999, 1);
\echo :SQLSTATE
SELECT ticketing.add_tickets(203, 0);
\echo :SQLSTATE
SELECT ticketing.add_tickets(201, ARRAY['Box A']);
\echo :SQLSTATE

-- Row 16 above failed: ticket 10 would have been labelled GA-10, which ticket 7 already
-- has. The failed load used up nothing: the next one still starts at 10.
SELECT ticketing.add_tickets(201, ARRAY['Late 1']);
SELECT ticket_id, seat FROM ticketing.tickets WHERE event_id = 201 AND ticket_id >= 8
 ORDER BY ticket_id;

-------------------------------------------------------------------------------
-- event_summary
-------------------------------------------------------------------------------
-- Event 201 now has tickets 1..10: sell 1 and 2, give 3 a live hold and 4 a lapsed hold.
SELECT outcome, ticket_id FROM ticketing.claim_ticket(201, 1, 'alice');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(201, 2, 'bob');
UPDATE ticketing.tickets
   SET status = 'held', owner = 'carol', hold_expires_at = now() + interval '1 hour'
 WHERE event_id = 201 AND ticket_id = 3;
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (201, 3, 'available', 'held', 'carol');
UPDATE ticketing.tickets
   SET status = 'held', owner = 'dave', hold_expires_at = now() - interval '1 minute'
 WHERE event_id = 201 AND ticket_id = 4;
INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer)
VALUES (201, 4, 'available', 'held', 'dave');

-- The lapsed hold counts as available.
SELECT * FROM ticketing.event_summary(201);
SELECT * FROM ticketing.event_summary(202);
SELECT * FROM ticketing.event_summary(203);
SELECT total, available, held, sold FROM ticketing.event_summary(:auto_id);

SELECT ord, t.*
  FROM (VALUES
        (1, $$SELECT ticketing.event_summary(NULL)$$),
        (2, $$SELECT ticketing.event_summary(299999)$$)
       ) AS v(ord, stmt),
       LATERAL pg_temp.try(v.stmt) AS t
 ORDER BY ord;
SELECT * FROM ticketing.event_summary(299999);
\echo :SQLSTATE

-- Everything this file did is consistent.
SELECT * FROM ticketing.verify(201);
SELECT * FROM ticketing.verify(202);
SELECT * FROM ticketing.verify(203);
