--
-- 22_bad_input_matrix: one table of bad inputs over every function, each with the
-- SQLSTATE the README documents for it (or, for an unknown event or ticket and a
-- ticket in the wrong state, the documented outcome). Then the same for a READ ONLY
-- transaction, SERIALIZABLE, a rolled-back subtransaction and a 1 ms
-- statement_timeout. Nothing changes the tables (a checksum of all five before and
-- after), and no message, detail or hint names another customer. Inputs that need a
-- second session (40001, lock timeouts, a cancel in the middle of a batch) and a hot
-- standby are in test/reliability/t/004_concurrent_bad_input.pl and 002_replica.pl.
--
\set VERBOSITY terse
CREATE FUNCTION pg_temp.attempt(stmt text, OUT state text, OUT answer text,
                                OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt INTO answer;
    state := '00000';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END
$$;
-- All five tables, row by row.
CREATE FUNCTION pg_temp.tables_checksum() RETURNS text LANGUAGE sql AS $$
    SELECT md5(string_agg(x, E'\n'))
      FROM (SELECT 'e' || e::text AS x FROM (SELECT * FROM ticketing.events ORDER BY event_id) e
            UNION ALL
            SELECT 't' || t::text FROM (SELECT * FROM ticketing.tickets ORDER BY event_id, ticket_id) t
            UNION ALL
            SELECT 'a' || a::text FROM (SELECT * FROM ticketing.audit_log ORDER BY audit_id) a
            UNION ALL
            SELECT 'k' || k::text FROM (SELECT * FROM ticketing.idempotency_keys
                                        ORDER BY customer, idempotency_key) k
            UNION ALL
            SELECT 's' || s::text FROM (SELECT * FROM ticketing.customer_slots
                                        ORDER BY event_id, customer) s) rows
$$;

-- Other customers' tickets, holds, keys and slots: their names must never come back.
SELECT ticketing.create_event('bad input matrix', event_id => 2201);
SELECT ticketing.add_tickets(2201, 20);
SELECT ticketing.create_event('bad input matrix, seated', per_customer_limit => 2, event_id => 2202);
SELECT ticketing.add_tickets(2202, ARRAY['A-1-1', 'A-1-2', 'A-1-3', 'A-1-4', 'A-1-5', 'A-1-6']);
SELECT outcome FROM ticketing.claim_ticket(2201, 1, 'owner-secret-1', idempotency_key => 'k-owner-1');
SELECT outcome FROM ticketing.hold_ticket(2201, 2, 'owner-secret-2', interval '1 hour');
SELECT outcome FROM ticketing.claim_any(2202, 'owner-secret-3', 2, adjacent => true);
SELECT pg_temp.tables_checksum() AS checksum_before \gset

CREATE TEMP TABLE matrix AS
SELECT v.ord, v.call, v.expected, a.*
  FROM (VALUES
    -- claim_ticket(event_id, ticket_id, customer, wait, idempotency_key)
    (1, 'claim_ticket: NULL event', '22004', $$SELECT outcome FROM ticketing.claim_ticket(NULL, 3, 'bad-buyer')$$),
    (2, 'claim_ticket: NULL ticket', '22004', $$SELECT outcome FROM ticketing.claim_ticket(2201, NULL, 'bad-buyer')$$),
    (3, 'claim_ticket: NULL customer', '22004', $$SELECT outcome FROM ticketing.claim_ticket(2201, 3, NULL)$$),
    (4, 'claim_ticket: NULL wait', '22004', $$SELECT outcome FROM ticketing.claim_ticket(2201, 3, 'bad-buyer', NULL)$$),
    (5, 'claim_ticket: event 0', '22023', $$SELECT outcome FROM ticketing.claim_ticket(0, 3, 'bad-buyer')$$),
    (6, 'claim_ticket: event -1', '22023', $$SELECT outcome FROM ticketing.claim_ticket(-1, 3, 'bad-buyer')$$),
    (7, 'claim_ticket: ticket 0', '22023', $$SELECT outcome FROM ticketing.claim_ticket(2201, 0, 'bad-buyer')$$),
    (8, 'claim_ticket: ticket min bigint', '22023', $$SELECT outcome FROM ticketing.claim_ticket(2201, -9223372036854775808, 'bad-buyer')$$),
    (9, 'claim_ticket: event max bigint', '00000', $$SELECT outcome FROM ticketing.claim_ticket(9223372036854775807, 3, 'bad-buyer')$$),
    (10, 'claim_ticket: ticket max bigint', '00000', $$SELECT outcome FROM ticketing.claim_ticket(2201, 9223372036854775807, 'bad-buyer')$$),
    (11, 'claim_ticket: empty customer', '22023', $$SELECT outcome FROM ticketing.claim_ticket(2201, 3, '')$$),
    (12, 'claim_ticket: 201-byte customer', '22023', $$SELECT outcome FROM ticketing.claim_ticket(2201, 3, repeat('x', 201))$$),
    (13, 'claim_ticket: 202 bytes in 101 characters', '22023', $$SELECT outcome FROM ticketing.claim_ticket(2201, 3, repeat('é', 101))$$),
    (14, 'claim_ticket: 4 MB customer', '22023', $$SELECT outcome FROM ticketing.claim_ticket(2201, 3, repeat('x', 4194304))$$),
    (15, 'claim_ticket: wait bogus', '22023', $$SELECT outcome FROM ticketing.claim_ticket(2201, 3, 'bad-buyer', 'bogus')$$),
    (16, 'claim_ticket: wait WAIT', '22023', $$SELECT outcome FROM ticketing.claim_ticket(2201, 3, 'bad-buyer', 'WAIT')$$),
    (17, 'claim_ticket: empty key', '22023', $$SELECT outcome FROM ticketing.claim_ticket(2201, 3, 'bad-buyer', idempotency_key => '')$$),
    (18, 'claim_ticket: 201-byte key', '22023', $$SELECT outcome FROM ticketing.claim_ticket(2201, 3, 'bad-buyer', idempotency_key => repeat('k', 201))$$),
    (19, 'claim_ticket: 4 MB key', '22023', $$SELECT outcome FROM ticketing.claim_ticket(2201, 3, 'bad-buyer', idempotency_key => repeat('k', 4194304))$$),
    (20, 'claim_ticket: another customer''s key', 'TK001', $$SELECT outcome FROM ticketing.claim_ticket(2201, 3, 'owner-secret-1', idempotency_key => 'k-owner-1')$$),
    -- release_ticket(event_id, ticket_id, customer, idempotency_key)
    (21, 'release_ticket: NULL event', '22004', $$SELECT outcome FROM ticketing.release_ticket(NULL, 1, 'bad-buyer')$$),
    (22, 'release_ticket: NULL ticket', '22004', $$SELECT outcome FROM ticketing.release_ticket(2201, NULL, 'bad-buyer')$$),
    (23, 'release_ticket: NULL customer', '22004', $$SELECT outcome FROM ticketing.release_ticket(2201, 1, NULL)$$),
    (24, 'release_ticket: ticket -5', '22023', $$SELECT outcome FROM ticketing.release_ticket(2201, -5, 'bad-buyer')$$),
    (25, 'release_ticket: empty customer', '22023', $$SELECT outcome FROM ticketing.release_ticket(2201, 1, '')$$),
    (26, 'release_ticket: 4 MB customer', '22023', $$SELECT outcome FROM ticketing.release_ticket(2201, 1, repeat('x', 4194304))$$),
    (27, 'release_ticket: 201-byte key', '22023', $$SELECT outcome FROM ticketing.release_ticket(2201, 1, 'bad-buyer', repeat('k', 201))$$),
    (28, 'release_ticket: another customer''s ticket', '00000', $$SELECT outcome FROM ticketing.release_ticket(2201, 1, 'bad-buyer')$$),
    (29, 'release_ticket: unknown ticket', '00000', $$SELECT outcome FROM ticketing.release_ticket(2201, 999, 'bad-buyer')$$),
    -- hold_ticket(event_id, ticket_id, customer, hold_for, wait, idempotency_key)
    (30, 'hold_ticket: NULL hold_for', '22004', $$SELECT outcome FROM ticketing.hold_ticket(2201, 3, 'bad-buyer', NULL)$$),
    (31, 'hold_ticket: hold_for 0', '22023', $$SELECT outcome FROM ticketing.hold_ticket(2201, 3, 'bad-buyer', interval '0')$$),
    (32, 'hold_ticket: hold_for -1 hour', '22023', $$SELECT outcome FROM ticketing.hold_ticket(2201, 3, 'bad-buyer', interval '-1 hour')$$),
    (33, 'hold_ticket: hold_for 500 ms', '22023', $$SELECT outcome FROM ticketing.hold_ticket(2201, 3, 'bad-buyer', interval '500 milliseconds')$$),
    (34, 'hold_ticket: hold_for 31 days', '22023', $$SELECT outcome FROM ticketing.hold_ticket(2201, 3, 'bad-buyer', interval '31 days')$$),
    (35, 'hold_ticket: hold_for 1000 years', '22023', $$SELECT outcome FROM ticketing.hold_ticket(2201, 3, 'bad-buyer', interval '1000 years')$$),
    (36, 'hold_ticket: hold_for -178000000 years', '22023', $$SELECT outcome FROM ticketing.hold_ticket(2201, 3, 'bad-buyer', interval '-178000000 years')$$),
    (37, 'hold_ticket: NULL wait', '22004', $$SELECT outcome FROM ticketing.hold_ticket(2201, 3, 'bad-buyer', interval '1 day', NULL)$$),
    (38, 'hold_ticket: wait skipped', '22023', $$SELECT outcome FROM ticketing.hold_ticket(2201, 3, 'bad-buyer', interval '1 day', 'skipped')$$),
    (39, 'hold_ticket: NULL customer', '22004', $$SELECT outcome FROM ticketing.hold_ticket(2201, 3, NULL)$$),
    (40, 'hold_ticket: 4 MB key', '22023', $$SELECT outcome FROM ticketing.hold_ticket(2201, 3, 'bad-buyer', idempotency_key => repeat('k', 4194304))$$),
    (41, 'hold_ticket: another customer''s hold', '00000', $$SELECT outcome FROM ticketing.hold_ticket(2201, 2, 'bad-buyer')$$),
    -- confirm_hold(event_id, ticket_id, customer, idempotency_key)
    (42, 'confirm_hold: NULL ticket', '22004', $$SELECT outcome FROM ticketing.confirm_hold(2201, NULL, 'bad-buyer')$$),
    (43, 'confirm_hold: event 0', '22023', $$SELECT outcome FROM ticketing.confirm_hold(0, 2, 'bad-buyer')$$),
    (44, 'confirm_hold: 201-byte customer', '22023', $$SELECT outcome FROM ticketing.confirm_hold(2201, 2, repeat('x', 201))$$),
    (45, 'confirm_hold: empty key', '22023', $$SELECT outcome FROM ticketing.confirm_hold(2201, 2, 'bad-buyer', '')$$),
    (46, 'confirm_hold: another customer''s hold', '00000', $$SELECT outcome FROM ticketing.confirm_hold(2201, 2, 'bad-buyer')$$),
    (47, 'confirm_hold: unknown event', '00000', $$SELECT outcome FROM ticketing.confirm_hold(999999, 2, 'bad-buyer')$$),
    -- release_hold(event_id, ticket_id, customer, idempotency_key)
    (48, 'release_hold: NULL customer', '22004', $$SELECT outcome FROM ticketing.release_hold(2201, 2, NULL)$$),
    (49, 'release_hold: ticket 0', '22023', $$SELECT outcome FROM ticketing.release_hold(2201, 0, 'bad-buyer')$$),
    (50, 'release_hold: 4 MB customer', '22023', $$SELECT outcome FROM ticketing.release_hold(2201, 2, repeat('x', 4194304))$$),
    (51, 'release_hold: another customer''s hold', '00000', $$SELECT outcome FROM ticketing.release_hold(2201, 2, 'bad-buyer')$$),
    (52, 'release_hold: a ticket not held', '00000', $$SELECT outcome FROM ticketing.release_hold(2201, 3, 'bad-buyer')$$),
    -- claim_tickets(event_id, ticket_ids, customer, wait, hold_for, idempotency_key)
    (53, 'claim_tickets: NULL array', '22004', $$SELECT outcome FROM ticketing.claim_tickets(2201, NULL, 'bad-buyer')$$),
    (54, 'claim_tickets: a NULL id', '22004', $$SELECT outcome FROM ticketing.claim_tickets(2201, ARRAY[3, NULL], 'bad-buyer')$$),
    (55, 'claim_tickets: empty array', '22023', $$SELECT outcome FROM ticketing.claim_tickets(2201, '{}', 'bad-buyer')$$),
    (56, 'claim_tickets: duplicate ids', '22023', $$SELECT outcome FROM ticketing.claim_tickets(2201, ARRAY[3, 4, 3], 'bad-buyer')$$),
    (57, 'claim_tickets: 101 ids', '22023', $$SELECT outcome FROM ticketing.claim_tickets(2201, ARRAY(SELECT generate_series(1, 101)::bigint), 'bad-buyer')$$),
    (58, 'claim_tickets: 100000 ids', '22023', $$SELECT outcome FROM ticketing.claim_tickets(2201, ARRAY(SELECT generate_series(1, 100000)::bigint), 'bad-buyer')$$),
    (59, 'claim_tickets: id 0', '22023', $$SELECT outcome FROM ticketing.claim_tickets(2201, ARRAY[0], 'bad-buyer')$$),
    (60, 'claim_tickets: id -1', '22023', $$SELECT outcome FROM ticketing.claim_tickets(2201, ARRAY[3, -1], 'bad-buyer')$$),
    (61, 'claim_tickets: NULL customer', '22004', $$SELECT outcome FROM ticketing.claim_tickets(2201, ARRAY[3], NULL)$$),
    (62, 'claim_tickets: wait bogus', '22023', $$SELECT outcome FROM ticketing.claim_tickets(2201, ARRAY[3], 'bad-buyer', 'bogus')$$),
    (63, 'claim_tickets: hold_for -1 day', '22023', $$SELECT outcome FROM ticketing.claim_tickets(2201, ARRAY[3], 'bad-buyer', hold_for => interval '-1 day')$$),
    (64, 'claim_tickets: unknown ids', '00000', $$SELECT outcome FROM ticketing.claim_tickets(2201, ARRAY[998, 999], 'bad-buyer')$$),
    (65, 'claim_tickets: another customer''s tickets', '00000', $$SELECT outcome FROM ticketing.claim_tickets(2201, ARRAY[1, 2], 'bad-buyer')$$),
    -- claim_any(event_id, customer, quantity, section, seat_prefix, adjacent, hold_for, idempotency_key)
    (66, 'claim_any: NULL event', '22004', $$SELECT outcome FROM ticketing.claim_any(NULL, 'bad-buyer')$$),
    (67, 'claim_any: NULL customer', '22004', $$SELECT outcome FROM ticketing.claim_any(2201, NULL)$$),
    (68, 'claim_any: NULL quantity', '22004', $$SELECT outcome FROM ticketing.claim_any(2201, 'bad-buyer', NULL)$$),
    (69, 'claim_any: quantity 0', '22023', $$SELECT outcome FROM ticketing.claim_any(2201, 'bad-buyer', 0)$$),
    (70, 'claim_any: quantity -1', '22023', $$SELECT outcome FROM ticketing.claim_any(2201, 'bad-buyer', -1)$$),
    (71, 'claim_any: quantity 101', '22023', $$SELECT outcome FROM ticketing.claim_any(2201, 'bad-buyer', 101)$$),
    (72, 'claim_any: quantity max int', '22023', $$SELECT outcome FROM ticketing.claim_any(2201, 'bad-buyer', 2147483647)$$),
    (73, 'claim_any: NULL adjacent', '22004', $$SELECT outcome FROM ticketing.claim_any(2202, 'bad-buyer', 2, adjacent => NULL)$$),
    (74, 'claim_any: section and seat_prefix', '22023', $$SELECT outcome FROM ticketing.claim_any(2202, 'bad-buyer', 1, section => 'A', seat_prefix => 'A-')$$),
    (75, 'claim_any: empty customer', '22023', $$SELECT outcome FROM ticketing.claim_any(2201, '')$$),
    (76, 'claim_any: hold_for 0', '22023', $$SELECT outcome FROM ticketing.claim_any(2201, 'bad-buyer', hold_for => interval '0')$$),
    (77, 'claim_any: hold_for 31 days', '22023', $$SELECT outcome FROM ticketing.claim_any(2201, 'bad-buyer', hold_for => interval '31 days')$$),
    (78, 'claim_any: 201-byte key', '22023', $$SELECT outcome FROM ticketing.claim_any(2201, 'bad-buyer', idempotency_key => repeat('k', 201))$$),
    (79, 'claim_any: unknown event', '00000', $$SELECT outcome FROM ticketing.claim_any(999999, 'bad-buyer')$$),
    (80, 'claim_any: an unknown section', '00000', $$SELECT outcome FROM ticketing.claim_any(2202, 'bad-buyer', 1, section => 'Z')$$),
    -- claim_batch(event_id, requests)
    (81, 'claim_batch: NULL event', '22004', $$SELECT outcome FROM ticketing.claim_batch(NULL, ARRAY[ROW(3, 'bad-buyer', NULL)]::ticketing.claim_request[])$$),
    (82, 'claim_batch: event -1', '22023', $$SELECT outcome FROM ticketing.claim_batch(-1, ARRAY[ROW(3, 'bad-buyer', NULL)]::ticketing.claim_request[])$$),
    (83, 'claim_batch: NULL requests', '22004', $$SELECT outcome FROM ticketing.claim_batch(2201, NULL::ticketing.claim_request[])$$),
    (84, 'claim_batch: no requests', '22023', $$SELECT outcome FROM ticketing.claim_batch(2201, '{}'::ticketing.claim_request[])$$),
    (85, 'claim_batch: a NULL request', '22004', $$SELECT outcome FROM ticketing.claim_batch(2201, ARRAY[ROW(3, 'bad-buyer', NULL), NULL]::ticketing.claim_request[])$$),
    (86, 'claim_batch: a NULL customer', '22004', $$SELECT outcome FROM ticketing.claim_batch(2201, ARRAY[ROW(3, NULL, NULL)]::ticketing.claim_request[])$$),
    (87, 'claim_batch: an empty customer', '22023', $$SELECT outcome FROM ticketing.claim_batch(2201, ARRAY[ROW(3, '', NULL)]::ticketing.claim_request[])$$),
    (88, 'claim_batch: a 4 MB customer', '22023', $$SELECT outcome FROM ticketing.claim_batch(2201, ARRAY[ROW(3, repeat('x', 4194304), NULL)]::ticketing.claim_request[])$$),
    (89, 'claim_batch: ticket 0', '22023', $$SELECT outcome FROM ticketing.claim_batch(2201, ARRAY[ROW(0, 'bad-buyer', NULL)]::ticketing.claim_request[])$$),
    (90, 'claim_batch: 1001 requests', '22023', $$SELECT outcome FROM ticketing.claim_batch(2201, ARRAY(SELECT ROW(NULL, 'bad-buyer', NULL)::ticketing.claim_request FROM generate_series(1, 1001)))$$),
    (91, 'claim_batch: one key twice', '22023', $$SELECT outcome FROM ticketing.claim_batch(2201, ARRAY[ROW(3, 'bad-buyer', 'k'), ROW(4, 'bad-buyer', 'k')]::ticketing.claim_request[])$$),
    (92, 'claim_batch: a 201-byte key', '22023', $$SELECT outcome FROM ticketing.claim_batch(2201, ARRAY[ROW(3, 'bad-buyer', repeat('k', 201))]::ticketing.claim_request[])$$),
    (93, 'claim_batch: an empty key', '22023', $$SELECT outcome FROM ticketing.claim_batch(2201, ARRAY[ROW(3, 'bad-buyer', '')]::ticketing.claim_request[])$$),
    (94, 'claim_batch: unknown event', '00000', $$SELECT outcome FROM ticketing.claim_batch(999999, ARRAY[ROW(3, 'bad-buyer', NULL)]::ticketing.claim_request[])$$),
    (95, 'claim_batch: another customer''s tickets', '00000', $$SELECT string_agg(outcome, ',' ORDER BY request_no) FROM ticketing.claim_batch(2201, ARRAY[ROW(1, 'bad-buyer', NULL), ROW(2, 'bad-buyer', NULL)]::ticketing.claim_request[])$$),
    -- event_summary(event_id)
    (96, 'event_summary: NULL', '22004', $$SELECT total FROM ticketing.event_summary(NULL)$$),
    (97, 'event_summary: 0', '22023', $$SELECT total FROM ticketing.event_summary(0)$$),
    (98, 'event_summary: unknown', 'P0002', $$SELECT total FROM ticketing.event_summary(999999)$$),
    -- create_event(name, per_customer_limit, starts_at, event_id)
    (99, 'create_event: NULL name', '22004', $$SELECT ticketing.create_event(NULL)$$),
    (100, 'create_event: empty name', '22023', $$SELECT ticketing.create_event('')$$),
    (101, 'create_event: limit 0', '22023', $$SELECT ticketing.create_event('x', per_customer_limit => 0)$$),
    (102, 'create_event: event_id -1', '22023', $$SELECT ticketing.create_event('x', event_id => -1)$$),
    (103, 'create_event: a taken event_id', '23505', $$SELECT ticketing.create_event('x', event_id => 2201)$$),
    -- add_tickets(event_id, quantity, seat_prefix) and add_tickets(event_id, seats)
    (104, 'add_tickets: NULL event', '22004', $$SELECT ticketing.add_tickets(NULL, 1)$$),
    (105, 'add_tickets: event 0', '22023', $$SELECT ticketing.add_tickets(0, 1)$$),
    (106, 'add_tickets: unknown event', 'P0002', $$SELECT ticketing.add_tickets(999999, 1)$$),
    (107, 'add_tickets: NULL quantity', '22004', $$SELECT ticketing.add_tickets(2201, NULL::integer)$$),
    (108, 'add_tickets: quantity 0', '22023', $$SELECT ticketing.add_tickets(2201, 0)$$),
    (109, 'add_tickets: quantity 10000001', '22023', $$SELECT ticketing.add_tickets(2201, 10000001)$$),
    (110, 'add_tickets: NULL prefix', '22004', $$SELECT ticketing.add_tickets(2201, 1, NULL)$$),
    (111, 'add_tickets: NULL seats', '22004', $$SELECT ticketing.add_tickets(2201, NULL::text[])$$),
    (112, 'add_tickets: a NULL seat', '22004', $$SELECT ticketing.add_tickets(2201, ARRAY['X-1', NULL])$$),
    (113, 'add_tickets: no seats', '22023', $$SELECT ticketing.add_tickets(2201, '{}'::text[])$$),
    (114, 'add_tickets: an empty label', '22023', $$SELECT ticketing.add_tickets(2201, ARRAY[''])$$),
    (115, 'add_tickets: a taken label', '23505', $$SELECT ticketing.add_tickets(2201, ARRAY['GA-1'])$$),
    (116, 'add_tickets: a label twice', '23505', $$SELECT ticketing.add_tickets(2201, ARRAY['X-9', 'X-9'])$$),
    -- purge_idempotency_keys(older_than)
    (117, 'purge_idempotency_keys: -1 day', '22023', $$SELECT ticketing.purge_idempotency_keys(interval '-1 day')$$),
    (118, 'purge_idempotency_keys: 0', '22023', $$SELECT ticketing.purge_idempotency_keys(interval '0')$$),
    -- join_waitlist(event_id, customer, quantity, category, together, offer_for); event
    -- 2201's list is not open
    (119, 'join_waitlist: NULL event', '22004', $$SELECT outcome FROM ticketing.join_waitlist(NULL, 'bad-buyer')$$),
    (120, 'join_waitlist: NULL customer', '22004', $$SELECT outcome FROM ticketing.join_waitlist(2201, NULL)$$),
    (121, 'join_waitlist: NULL quantity', '22004', $$SELECT outcome FROM ticketing.join_waitlist(2201, 'bad-buyer', NULL)$$),
    (122, 'join_waitlist: quantity 0', '22023', $$SELECT outcome FROM ticketing.join_waitlist(2201, 'bad-buyer', 0)$$),
    (123, 'join_waitlist: quantity 101', '22023', $$SELECT outcome FROM ticketing.join_waitlist(2201, 'bad-buyer', 101)$$),
    (124, 'join_waitlist: NULL together', '22004', $$SELECT outcome FROM ticketing.join_waitlist(2201, 'bad-buyer', together => NULL)$$),
    (125, 'join_waitlist: NULL offer_for', '22004', $$SELECT outcome FROM ticketing.join_waitlist(2201, 'bad-buyer', offer_for => NULL)$$),
    (126, 'join_waitlist: offer_for 30 seconds', '22023', $$SELECT outcome FROM ticketing.join_waitlist(2201, 'bad-buyer', offer_for => interval '30 seconds')$$),
    (127, 'join_waitlist: offer_for 8 days', '22023', $$SELECT outcome FROM ticketing.join_waitlist(2201, 'bad-buyer', offer_for => interval '8 days')$$),
    (128, 'join_waitlist: empty category', '22023', $$SELECT outcome FROM ticketing.join_waitlist(2201, 'bad-buyer', category => '')$$),
    (129, 'join_waitlist: 4 MB customer', '22023', $$SELECT outcome FROM ticketing.join_waitlist(2201, repeat('x', 4194304))$$),
    (130, 'join_waitlist: the list is not open', '00000', $$SELECT outcome FROM ticketing.join_waitlist(2201, 'bad-buyer')$$),
    (131, 'join_waitlist: unknown event', '00000', $$SELECT outcome FROM ticketing.join_waitlist(999999, 'bad-buyer')$$),
    -- leave_waitlist(event_id, customer), waitlist_position(event_id, customer)
    (132, 'leave_waitlist: NULL customer', '22004', $$SELECT outcome FROM ticketing.leave_waitlist(2201, NULL)$$),
    (133, 'leave_waitlist: event 0', '22023', $$SELECT outcome FROM ticketing.leave_waitlist(0, 'bad-buyer')$$),
    (134, 'leave_waitlist: not waiting', '00000', $$SELECT outcome FROM ticketing.leave_waitlist(2201, 'bad-buyer')$$),
    (135, 'waitlist_position: empty customer', '22023', $$SELECT outcome FROM ticketing.waitlist_position(2201, '')$$),
    (136, 'waitlist_position: not waiting', '00000', $$SELECT outcome FROM ticketing.waitlist_position(2201, 'bad-buyer')$$),
    -- the list's administration
    (137, 'offer_waitlist: NULL event', '22004', $$SELECT ticketing.offer_waitlist(NULL)$$),
    (138, 'offer_waitlist: unknown event', 'P0002', $$SELECT ticketing.offer_waitlist(999999)$$),
    (139, 'open_waitlist: unknown event', 'P0002', $$SELECT ticketing.open_waitlist(999999)$$),
    (140, 'close_waitlist: NULL event', '22004', $$SELECT ticketing.close_waitlist(NULL)$$)
  ) AS v(ord, call, expected, stmt),
  LATERAL pg_temp.attempt(v.stmt) AS a;

SELECT ord, call, expected, state, answer FROM matrix ORDER BY ord;
SELECT count(*) AS bad_inputs,
       count(*) FILTER (WHERE state = expected) AS as_documented,
       count(*) FILTER (WHERE concat(message, detail, hint) LIKE '%owner-secret%') AS naming_another_customer,
       max(octet_length(concat(message, detail, hint))) < 1000 AS messages_short
  FROM matrix;
-- The messages, for the record (each quotes at most 40 bytes of an argument).
SELECT ord, message FROM matrix WHERE state <> '00000' ORDER BY ord;
SELECT pg_temp.tables_checksum() = :'checksum_before' AS unchanged;

-------------------------------------------------------------------------------
-- A READ ONLY transaction: every call that may write is refused (25006), even one
-- whose answer would need no write; the reads answer.
-------------------------------------------------------------------------------
BEGIN READ ONLY;
SELECT ord, call, state, answer
  FROM (VALUES
    (1, 'claim_ticket, free', $$SELECT outcome FROM ticketing.claim_ticket(2201, 3, 'ro-buyer')$$),
    (2, 'claim_ticket, sold', $$SELECT outcome FROM ticketing.claim_ticket(2201, 1, 'ro-buyer')$$),
    (3, 'release_ticket', $$SELECT outcome FROM ticketing.release_ticket(2201, 1, 'owner-secret-1')$$),
    (4, 'hold_ticket', $$SELECT outcome FROM ticketing.hold_ticket(2201, 3, 'ro-buyer')$$),
    (5, 'confirm_hold', $$SELECT outcome FROM ticketing.confirm_hold(2201, 2, 'owner-secret-2')$$),
    (6, 'release_hold', $$SELECT outcome FROM ticketing.release_hold(2201, 2, 'owner-secret-2')$$),
    (7, 'claim_tickets', $$SELECT outcome FROM ticketing.claim_tickets(2201, ARRAY[3, 4], 'ro-buyer')$$),
    (8, 'claim_any', $$SELECT outcome FROM ticketing.claim_any(2201, 'ro-buyer')$$),
    (9, 'claim_batch', $$SELECT outcome FROM ticketing.claim_batch(2201, ARRAY[ROW(3, 'ro-buyer', NULL)]::ticketing.claim_request[])$$),
    (10, 'create_event', $$SELECT ticketing.create_event('read only')$$),
    (11, 'add_tickets', $$SELECT ticketing.add_tickets(2201, 1)$$),
    (12, 'add_tickets, seats', $$SELECT ticketing.add_tickets(2201, ARRAY['RO-1'])$$),
    (13, 'expire_holds', $$SELECT ticketing.expire_holds()$$),
    (14, 'purge_idempotency_keys', $$SELECT ticketing.purge_idempotency_keys()$$),
    (15, 'event_summary', $$SELECT sold FROM ticketing.event_summary(2201)$$),
    (16, 'verify', $$SELECT count(*) FROM ticketing.verify()$$)
  ) AS v(ord, call, stmt),
  LATERAL pg_temp.attempt(v.stmt) AS a
 ORDER BY ord;
COMMIT;

-------------------------------------------------------------------------------
-- SERIALIZABLE: the same refusals, and a good call works (40001 needs a second
-- session: t/004_concurrent_bad_input.pl).
-------------------------------------------------------------------------------
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT ord, state, answer
  FROM (VALUES
    (1, $$SELECT outcome FROM ticketing.claim_ticket(2201, 3, '')$$),
    (2, $$SELECT outcome FROM ticketing.claim_any(2201, 'ser-buyer', 0)$$),
    (3, $$SELECT outcome FROM ticketing.claim_batch(2201, '{}'::ticketing.claim_request[])$$),
    (4, $$SELECT outcome FROM ticketing.claim_ticket(2201, 1, 'ser-buyer')$$),
    (5, $$SELECT outcome FROM ticketing.claim_ticket(2201, 3, 'ser-buyer')$$)
  ) AS v(ord, stmt),
  LATERAL pg_temp.attempt(v.stmt) AS a
 ORDER BY ord;
ROLLBACK;

-------------------------------------------------------------------------------
-- A rolled-back subtransaction leaves nothing: not the sale, not its key, not its
-- customer slot; the transaction goes on with the same calls.
-------------------------------------------------------------------------------
BEGIN;
SAVEPOINT before_claims;
SELECT outcome, ticket_id FROM ticketing.claim_ticket(2201, 3, 'sub-buyer', idempotency_key => 'sub-1');
SELECT outcome, seats FROM ticketing.claim_any(2202, 'sub-buyer', 2, adjacent => true);
SELECT outcome FROM ticketing.hold_ticket(2201, 4, 'sub-buyer');
ROLLBACK TO SAVEPOINT before_claims;
SELECT ticket_id, status, owner FROM ticketing.tickets
 WHERE (event_id, ticket_id) IN ((2201, 3), (2201, 4), (2202, 3), (2202, 4)) ORDER BY ticket_id;
SELECT count(*) AS keys FROM ticketing.idempotency_keys WHERE customer = 'sub-buyer';
SELECT count(*) AS slots FROM ticketing.customer_slots WHERE customer = 'sub-buyer';
-- An error inside a subtransaction, rolled back, and the same key claims anew.
SAVEPOINT bad;
SELECT outcome FROM ticketing.claim_ticket(2201, 3, 'sub-buyer', 'bogus', 'sub-1');
ROLLBACK TO SAVEPOINT bad;
SELECT outcome, ticket_id FROM ticketing.claim_ticket(2201, 5, 'sub-buyer', idempotency_key => 'sub-1');
ROLLBACK;

-------------------------------------------------------------------------------
-- A 50 ms statement_timeout (57014). A trigger that sleeps 200 ms per row makes sure the
-- statement outlasts it.
-------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.slow_row() RETURNS trigger LANGUAGE plpgsql AS
    $$BEGIN PERFORM pg_sleep(0.2); RETURN NEW; END$$;
CREATE TRIGGER slow_row BEFORE UPDATE ON ticketing.tickets
    FOR EACH ROW EXECUTE FUNCTION pg_temp.slow_row();
SET statement_timeout = '50ms';
SELECT outcome FROM ticketing.claim_ticket(2201, 3, 'timeout-buyer');
\echo :LAST_ERROR_SQLSTATE
SELECT outcome FROM ticketing.claim_any(2201, 'timeout-buyer', 3);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ticketing.claim_batch(2201, ARRAY(
    SELECT ROW(n, 'timeout-buyer', NULL)::ticketing.claim_request FROM generate_series(3, 20) n));
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
DROP TRIGGER slow_row ON ticketing.tickets;

-- None of it changed anything.
SELECT pg_temp.tables_checksum() = :'checksum_before' AS unchanged;
SELECT * FROM ticketing.verify();
