--
-- 05_bad_input: what claim_ticket and release_ticket refuse, with which SQLSTATE.
-- Bad input is an error, never an outcome; a read-only transaction refuses every call.
--
\set VERBOSITY terse

\i sql/include/try.sql

SELECT ticketing.create_event('Bad input test', event_id => 501);
SELECT ticketing.add_tickets(501, 4);
SELECT outcome FROM ticketing.claim_ticket(501, 1, 'alice');
SELECT count(*) AS audit_before FROM ticketing.audit_log \gset

-------------------------------------------------------------------------------
-- claim_ticket
-------------------------------------------------------------------------------
SELECT ord, t.*
  FROM (VALUES
        -- NULLs: 22004
        (1, $$SELECT ticketing.claim_ticket(NULL, 2, 'bob')$$),
        (2, $$SELECT ticketing.claim_ticket(501, NULL, 'bob')$$),
        (3, $$SELECT ticketing.claim_ticket(501, 2, NULL)$$),
        (4, $$SELECT ticketing.claim_ticket(501, 2, 'bob', NULL)$$),
        (5, $$SELECT ticketing.claim_ticket(NULL, NULL, NULL, NULL)$$),
        -- non-positive ids: 22023
        (6, $$SELECT ticketing.claim_ticket(0, 2, 'bob')$$),
        (7, $$SELECT ticketing.claim_ticket(-501, 2, 'bob')$$),
        (8, $$SELECT ticketing.claim_ticket(501, 0, 'bob')$$),
        (9, $$SELECT ticketing.claim_ticket(501, -2, 'bob')$$),
        (10, $$SELECT ticketing.claim_ticket(-9223372036854775808, 2, 'bob')$$),
        -- customers: empty, or over 200 bytes (bytes, not characters): 22023
        (11, $$SELECT ticketing.claim_ticket(501, 2, '')$$),
        (12, $$SELECT ticketing.claim_ticket(501, 2, repeat('x', 201))$$),
        (13, $$SELECT ticketing.claim_ticket(501, 2, repeat('é', 101))$$),
        (14, $$SELECT ticketing.claim_ticket(501, 2, repeat('x', 100000))$$),
        -- wait policies other than wait, nowait and skip: 22023
        (15, $$SELECT ticketing.claim_ticket(501, 2, 'bob', 'bogus')$$),
        (16, $$SELECT ticketing.claim_ticket(501, 2, 'bob', '')$$),
        (17, $$SELECT ticketing.claim_ticket(501, 2, 'bob', 'skip locked')$$),
        (18, $$SELECT ticketing.claim_ticket(501, 2, 'bob', ' wait')$$),
        -- checked before anything is looked up: sold, unknown ticket, unknown event
        (19, $$SELECT ticketing.claim_ticket(501, 1, '')$$),
        (20, $$SELECT ticketing.claim_ticket(501, 99, 'bob', 'bogus')$$),
        (21, $$SELECT ticketing.claim_ticket(599999, 1, NULL)$$)
       ) AS v(ord, stmt),
       LATERAL pg_temp.try(v.stmt) AS t
 ORDER BY ord;

-- The limits themselves are fine: 200 bytes, and 100 two-byte characters.
SELECT octet_length(repeat('é', 100)) AS bytes;
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(501, 2, repeat('x', 200));
SELECT outcome, ticket_id, owner_is_you FROM ticketing.claim_ticket(501, 3, repeat('é', 100));
SELECT ticket_id, octet_length(owner) AS owner_bytes
  FROM ticketing.tickets WHERE event_id = 501 AND ticket_id IN (2, 3) ORDER BY ticket_id;

-- The same errors as the client sees them.
SELECT * FROM ticketing.claim_ticket(NULL, 4, 'bob');
\echo :SQLSTATE
SELECT * FROM ticketing.claim_ticket(501, 4, NULL);
\echo :SQLSTATE
SELECT * FROM ticketing.claim_ticket(501, 4, 'bob', NULL);
\echo :SQLSTATE
SELECT * FROM ticketing.claim_ticket(501, 0, 'bob');
\echo :SQLSTATE
SELECT * FROM ticketing.claim_ticket(501, 4, '');
\echo :SQLSTATE
SELECT * FROM ticketing.claim_ticket(501, 4, repeat('x', 201));
\echo :SQLSTATE
SELECT * FROM ticketing.claim_ticket(501, 4, 'bob', 'bogus');
\echo :SQLSTATE
\set VERBOSITY default
-- The hints.
SELECT * FROM ticketing.claim_ticket(501, 4, 'bob', 'bogus');
SELECT * FROM ticketing.claim_ticket(501, 4, '');
\set VERBOSITY terse

-------------------------------------------------------------------------------
-- release_ticket
-------------------------------------------------------------------------------
SELECT ord, t.*
  FROM (VALUES
        (1, $$SELECT ticketing.release_ticket(NULL, 1, 'alice')$$),
        (2, $$SELECT ticketing.release_ticket(501, NULL, 'alice')$$),
        (3, $$SELECT ticketing.release_ticket(501, 1, NULL)$$),
        (4, $$SELECT ticketing.release_ticket(NULL, NULL, NULL)$$),
        (5, $$SELECT ticketing.release_ticket(0, 1, 'alice')$$),
        (6, $$SELECT ticketing.release_ticket(-501, 1, 'alice')$$),
        (7, $$SELECT ticketing.release_ticket(501, 0, 'alice')$$),
        (8, $$SELECT ticketing.release_ticket(501, -1, 'alice')$$),
        (9, $$SELECT ticketing.release_ticket(501, 1, '')$$),
        (10, $$SELECT ticketing.release_ticket(501, 1, repeat('x', 201))$$),
        (11, $$SELECT ticketing.release_ticket(501, 1, repeat('é', 101))$$),
        (12, $$SELECT ticketing.release_ticket(599999, 1, '')$$)
       ) AS v(ord, stmt),
       LATERAL pg_temp.try(v.stmt) AS t
 ORDER BY ord;

SELECT * FROM ticketing.release_ticket(501, NULL, 'alice');
\echo :SQLSTATE
SELECT * FROM ticketing.release_ticket(501, -1, 'alice');
\echo :SQLSTATE
SELECT * FROM ticketing.release_ticket(501, 1, '');
\echo :SQLSTATE

-- None of that changed anything: the two new audit rows are the successful claims of
-- tickets 2 and 3 just above.
SELECT ticket_id, status, octet_length(owner) AS owner_bytes
  FROM ticketing.tickets WHERE event_id = 501 ORDER BY ticket_id;
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;

-------------------------------------------------------------------------------
-- Read-only transactions: every call is refused with 25006, including the ones whose
-- answer would not have needed a write.
-------------------------------------------------------------------------------
SELECT count(*) AS audit_before FROM ticketing.audit_log \gset
BEGIN READ ONLY;
SELECT ord, t.*
  FROM (VALUES
        (1, $$SELECT ticketing.claim_ticket(501, 4, 'bob')$$),
        (2, $$SELECT ticketing.claim_ticket(501, 4, 'bob', 'nowait')$$),
        (3, $$SELECT ticketing.claim_ticket(501, 4, 'bob', 'skip')$$),
        (4, $$SELECT ticketing.claim_ticket(501, 1, 'bob')$$),
        (5, $$SELECT ticketing.claim_ticket(501, 1, 'bob', 'nowait')$$),
        (6, $$SELECT ticketing.claim_ticket(501, 1, 'alice')$$),
        (7, $$SELECT ticketing.claim_ticket(501, 99, 'alice')$$),
        (8, $$SELECT ticketing.claim_ticket(599999, 1, 'alice')$$),
        (9, $$SELECT ticketing.release_ticket(501, 1, 'alice')$$),
        (10, $$SELECT ticketing.release_ticket(501, 1, 'bob')$$),
        (11, $$SELECT ticketing.release_ticket(501, 4, 'bob')$$),
        (12, $$SELECT ticketing.release_ticket(501, 99, 'bob')$$)
       ) AS v(ord, stmt),
       LATERAL pg_temp.try(v.stmt) AS t
 ORDER BY ord;
COMMIT;

-- As the client sees it, for a sold ticket.
BEGIN READ ONLY;
SELECT * FROM ticketing.claim_ticket(501, 1, 'bob');
\echo :SQLSTATE
ROLLBACK;
BEGIN READ ONLY;
SELECT * FROM ticketing.release_ticket(501, 1, 'alice');
\echo :SQLSTATE
ROLLBACK;

-- A session that defaults to read-only transactions is refused as well.
SET default_transaction_read_only = on;
SELECT * FROM ticketing.claim_ticket(501, 1, 'bob');
\echo :SQLSTATE
SELECT * FROM ticketing.claim_ticket(501, 4, 'bob');
\echo :SQLSTATE
SELECT * FROM ticketing.release_ticket(501, 1, 'alice');
\echo :SQLSTATE
RESET default_transaction_read_only;

SELECT ticket_id, status, octet_length(owner) AS owner_bytes
  FROM ticketing.tickets WHERE event_id = 501 ORDER BY ticket_id;
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;

-- Read-write again: the same calls answer normally.
SELECT outcome, owner_is_you FROM ticketing.claim_ticket(501, 1, 'bob');
SELECT outcome, owner_is_you FROM ticketing.claim_ticket(501, 4, 'bob');
SELECT * FROM ticketing.verify(501);

-- An argument of several megabytes is never written into a message (or the server
-- log) in full: at most a short prefix is quoted.
SELECT t.state, length(t.message) < 200 AS short_message, t.message
  FROM pg_temp.try($$SELECT * FROM ticketing.claim_ticket(501, 1, 'bob', wait => repeat('w', 5000000))$$) t;
SELECT t.state, length(t.message) < 200 AS short_message
  FROM pg_temp.try($$SELECT * FROM ticketing.claim_ticket(501, 1, repeat('c', 5000000))$$) t;
SELECT t.state, length(t.message) < 200 AS short_message
  FROM pg_temp.try($$SELECT * FROM ticketing.claim_any(501, 'bob', idempotency_key => repeat('k', 5000000))$$) t;
SELECT t.state, length(t.message) < 200 AS short_message
  FROM pg_temp.try($$SELECT * FROM ticketing.claim_any(501, 'bob', seat_prefix => repeat('p', 5000000))$$) t;
-- add_tickets caps labels as claim_any caps seat_prefix: 22023 with a short message,
-- not the index's 54000 ("index row requires ... bytes").
SELECT t.state, length(t.message) < 200 AS short_message, t.message
  FROM pg_temp.try($$SELECT ticketing.add_tickets(501, 1, seat_prefix => repeat('p', 5000000))$$) t;
SELECT t.state, t.message
  FROM pg_temp.try($$SELECT ticketing.add_tickets(501, ARRAY['A-1', repeat('s', 201)])$$) t;
SELECT t.state, t.message
  FROM pg_temp.try($$SELECT ticketing.add_tickets(501, 1, seat_prefix => repeat('p', 181))$$) t;
-- In a batch, a bad customer or key names its request, as a NULL does.
SELECT t.state, t.message
  FROM pg_temp.try($$SELECT * FROM ticketing.claim_batch(501, ARRAY[ROW(2, 'bob', NULL), ROW(3, '', NULL)]::ticketing.claim_request[])$$) t;
SELECT t.state, t.message
  FROM pg_temp.try($$SELECT * FROM ticketing.claim_batch(501, ARRAY[ROW(2, 'bob', NULL), ROW(3, repeat('c', 201), NULL)]::ticketing.claim_request[])$$) t;
SELECT t.state, t.message
  FROM pg_temp.try($$SELECT * FROM ticketing.claim_batch(501, ARRAY[ROW(2, 'bob', NULL), ROW(NULL, 'bob', ''), ROW(3, 'bob', 'k')]::ticketing.claim_request[])$$) t;
SELECT t.state, t.message
  FROM pg_temp.try($$SELECT * FROM ticketing.claim_batch(501, ARRAY[ROW(2, 'bob', NULL), ROW(3, 'bob', repeat('k', 201))]::ticketing.claim_request[])$$) t;
SELECT ticket_id, status FROM ticketing.tickets WHERE event_id = 501 ORDER BY ticket_id;
