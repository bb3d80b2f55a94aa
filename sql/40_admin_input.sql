--
-- 40_admin_input: administrative calls and their input, found by a review (each failed
-- on e8a6832):
-- - shard_of(event_id, shard_count) answered any shard_count: 0, -1, 3 or 2048 gave a
--   shard no cluster has, -2147483648 an integer overflow (22003);
-- - resize_quota and drop_quota took an empty or over-100-byte quota name for an unknown
--   quota (P0002, after waiting for the lock on tickets, the whole name in the message);
-- - create_quota, resize_quota, drop_quota, open_waitlist and close_waitlist took a
--   non-positive event id for an unknown event (P0002);
-- - waitlist_position and cart_contents, which only read, raised 25006 in a read-only
--   transaction;
-- - purge_idempotency_keys() with no older_than read the retention with current_setting(),
--   which does not load the library: a value a role without the right had set before the
--   library loaded (which the library drops) decided what it purged, live keys included.
--
\set VERBOSITY terse

-- A call's error: its SQLSTATE, and its message when short (otherwise its length).
CREATE FUNCTION pg_temp.try(q text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    state text;
    message text;
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
    RETURN state || ': ' || CASE WHEN pg_catalog.octet_length(message) <= 200 THEN message
                                 ELSE pg_catalog.format('<a message of %s bytes>',
                                                        pg_catalog.octet_length(message)) END;
END
$$;

-------------------------------------------------------------------------------
-- shard_of(event_id, shard_count): shard_count as set_shard() takes it.
-------------------------------------------------------------------------------
SELECT n AS shard_count, pg_temp.try(pg_catalog.format('SELECT ticketing.shard_of(42, %s)', n)) AS result
  FROM pg_catalog.unnest(ARRAY[0, -1, 3, 6, 1023, 2048, 2147483647, -2147483648]) AS n;
-- The hint says what to pass.
\set VERBOSITY default
SELECT ticketing.shard_of(42, 3);
\set VERBOSITY terse
-- Every power of 2 from 1 to 1024 is taken, and answers PL/Proxy's partition.
SELECT pg_catalog.count(*) AS calls,
       pg_catalog.count(*) FILTER (WHERE ticketing.shard_of(e, 1 << k)
                                         = (pg_catalog.hashint8(e) & ((1 << k) - 1))) AS agree
  FROM pg_catalog.generate_series(-50, 50) AS e, pg_catalog.generate_series(0, 10) AS k;
-- NULL for a NULL argument, as before (17_shard_identity relies on it).
SELECT ticketing.shard_of(NULL, 4) IS NULL AS null_event, ticketing.shard_of(42, NULL) IS NULL AS null_count;
SELECT p.provolatile AS volatility, p.proparallel AS parallel, p.proisstrict AS strict
  FROM pg_catalog.pg_proc p WHERE p.oid = 'ticketing.shard_of(bigint,integer)'::pg_catalog.regprocedure;

-------------------------------------------------------------------------------
-- Quotas: the name is checked first (1 to 100 bytes, 22023, its length in the message,
-- never the name), and event ids as everywhere (non-positive: 22023).
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Admin input', event_id => 4001);
SELECT ticketing.add_tickets(4001, 4);
SELECT ticketing.create_quota(4001, 'q', 2, ARRAY['general']) > 0 AS created;
SELECT call, pg_temp.try(q) AS result FROM (VALUES
    ('resize_quota, empty name', $$SELECT ticketing.resize_quota(4001, '', 3)$$),
    ('resize_quota, 101 bytes', $$SELECT ticketing.resize_quota(4001, pg_catalog.repeat('n', 101), 3)$$),
    ('resize_quota, 51 two-byte letters', $$SELECT ticketing.resize_quota(4001, pg_catalog.repeat('é', 51), 3)$$),
    ('resize_quota, 1 MB', $$SELECT ticketing.resize_quota(4001, pg_catalog.repeat('n', 1048576), 3)$$),
    ('drop_quota, empty name', $$SELECT ticketing.drop_quota(4001, '')$$),
    ('drop_quota, 1 MB', $$SELECT ticketing.drop_quota(4001, pg_catalog.repeat('n', 1048576))$$),
    ('create_quota, 1 MB', $$SELECT ticketing.create_quota(4001, pg_catalog.repeat('n', 1048576), 1, ARRAY['general'])$$),
    ('resize_quota, event 0', $$SELECT ticketing.resize_quota(0, 'q', 3)$$),
    ('resize_quota, event -1', $$SELECT ticketing.resize_quota(-1, 'q', 3)$$),
    ('drop_quota, event 0', $$SELECT ticketing.drop_quota(0, 'q')$$),
    ('drop_quota, event min', $$SELECT ticketing.drop_quota(-9223372036854775808, 'q')$$),
    ('create_quota, event 0', $$SELECT ticketing.create_quota(0, 'q2', 1, ARRAY['general'])$$),
    ('create_quota, event -1', $$SELECT ticketing.create_quota(-1, 'q2', 1, ARRAY['general'])$$),
    ('create_quota, event 0 and an empty name', $$SELECT ticketing.create_quota(0, '', 1, ARRAY['general'])$$),
    ('open_waitlist, event 0', $$SELECT ticketing.open_waitlist(0)$$),
    ('open_waitlist, event -1', $$SELECT ticketing.open_waitlist(-1)$$),
    ('close_waitlist, event 0', $$SELECT ticketing.close_waitlist(0)$$),
    ('close_waitlist, event -1', $$SELECT ticketing.close_waitlist(-1)$$),
    -- valid input that names nothing: P0002 as before
    ('resize_quota, 100 bytes, no such quota', $$SELECT ticketing.resize_quota(4001, pg_catalog.repeat('n', 100), 3)$$),
    ('drop_quota, no such quota', $$SELECT ticketing.drop_quota(4001, 'nope')$$),
    ('resize_quota, no such event', $$SELECT ticketing.resize_quota(999999, 'q', 3)$$),
    ('create_quota, no such event', $$SELECT ticketing.create_quota(999999, 'q', 1, ARRAY['general'])$$),
    ('open_waitlist, no such event', $$SELECT ticketing.open_waitlist(999999)$$),
    ('close_waitlist, no such event', $$SELECT ticketing.close_waitlist(999999)$$)
) AS v(call, q);
-- At the edges: a 100-byte name (of two-byte letters too) works.
SELECT ticketing.create_quota(4001, pg_catalog.repeat('é', 50), 4, ARRAY['general']) > 0 AS created;
SELECT ticketing.resize_quota(4001, pg_catalog.repeat('é', 50), 3);
SELECT ticketing.drop_quota(4001, pg_catalog.repeat('é', 50));
SELECT quota, size FROM ticketing.quota_summary(4001) ORDER BY quota;

-------------------------------------------------------------------------------
-- Reads in a read-only transaction: waitlist_position and cart_contents answer; the
-- calls that write are still refused (25006).
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Read-only reads', event_id => 4002);
SELECT ticketing.add_tickets(4002, 2);
SELECT token AS tok FROM ticketing.open_cart(4002, 'kim') \gset
SELECT outcome FROM ticketing.hold_ticket(4002, 1, 'kim', cart => :'tok');
SELECT outcome FROM ticketing.claim_ticket(4002, 2, 'bob');
SELECT ticketing.open_waitlist(4002);
SELECT outcome, place FROM ticketing.join_waitlist(4002, 'wes');
BEGIN READ ONLY;
SELECT outcome, place, status FROM ticketing.waitlist_position(4002, 'wes');
SELECT outcome, place FROM ticketing.waitlist_position(4002, 'nobody');
SELECT outcome, place FROM ticketing.waitlist_position(999999, 'wes');
SELECT outcome, ticket_ids, seats FROM ticketing.cart_contents(4002, :'tok', 'kim');
SELECT outcome, ticket_ids FROM ticketing.cart_contents(4002, 'no such token', 'kim');
SELECT outcome, ticket_ids FROM ticketing.cart_contents(999999, :'tok', 'kim');
COMMIT;
SET default_transaction_read_only = on;
SELECT outcome, place FROM ticketing.waitlist_position(4002, 'wes');
SELECT outcome, ticket_ids FROM ticketing.cart_contents(4002, :'tok', 'kim');
SELECT call, pg_temp.try(q) AS result FROM (VALUES
    ('join_waitlist', $$SELECT ticketing.join_waitlist(4002, 'zoe')$$),
    ('leave_waitlist', $$SELECT ticketing.leave_waitlist(4002, 'wes')$$),
    ('offer_waitlist', $$SELECT ticketing.offer_waitlist(4002)$$),
    ('expire_holds', $$SELECT ticketing.expire_holds(4002)$$),
    ('extend_cart', pg_catalog.format($$SELECT ticketing.extend_cart(4002, %L, 'kim', '1 minute')$$, :'tok')),
    ('abandon_cart', pg_catalog.format($$SELECT ticketing.abandon_cart(4002, %L, 'kim')$$, :'tok')),
    ('claim_ticket', $$SELECT ticketing.claim_ticket(4002, 1, 'zoe')$$)
) AS v(call, q);
RESET default_transaction_read_only;
-- Under REPEATABLE READ, a read-only transaction too.
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT outcome, place FROM ticketing.waitlist_position(4002, 'wes');
SELECT outcome, ticket_ids FROM ticketing.cart_contents(4002, :'tok', 'kim');
COMMIT;
SELECT * FROM ticketing.verify(4002);

-------------------------------------------------------------------------------
-- purge_idempotency_keys() purges by the retention the key lookups use. A role granted
-- purge sets the retention before the library is loaded in its session (a placeholder
-- PostgreSQL accepts from anyone): the library drops the value when purge loads it, and
-- keys an hour old (live for a day) stay.
-------------------------------------------------------------------------------
SELECT ticketing.create_event('Purge by the retention', event_id => 4003);
SELECT ticketing.add_tickets(4003, 3);
SELECT outcome FROM ticketing.claim_ticket(4003, 1, 'alice', idempotency_key => 'k-1');
UPDATE ticketing.idempotency_keys SET created_at = pg_catalog.now() - interval '1 hour'
 WHERE event_id = 4003;
-- Keys more than a day old that earlier files left (none expected) go first, so that
-- what the role purges below is counted exactly.
SELECT ticketing.purge_idempotency_keys() >= 0 AS purged_day_old;
CREATE ROLE regress_purger;
GRANT USAGE ON SCHEMA ticketing TO regress_purger;
GRANT EXECUTE ON FUNCTION ticketing.purge_idempotency_keys(interval) TO regress_purger;

-- A fresh backend, where the library is not loaded yet.
\c
SELECT pg_catalog.count(*) AS retention_known
  FROM pg_catalog.pg_settings WHERE name = 'ticketing.idempotency_retention';
SET ROLE regress_purger;
SET ticketing.idempotency_retention = '1s';
SHOW ticketing.idempotency_retention;
SELECT ticketing.purge_idempotency_keys() AS purged;
SHOW ticketing.idempotency_retention;
RESET ROLE;
SELECT pg_catalog.count(*) AS keys_left FROM ticketing.idempotency_keys WHERE event_id = 4003;
-- The retention's function is internal: granted to no one.
SET ROLE regress_purger;
SELECT ticketing.idempotency_retention_seconds();
-- older_than is not bounded by the retention: a role granted purge may delete younger
-- keys on purpose.
SELECT ticketing.purge_idempotency_keys(older_than => interval '1 minute') AS purged_on_purpose;
RESET ROLE;
SELECT pg_catalog.count(*) AS keys_left FROM ticketing.idempotency_keys WHERE event_id = 4003;

-- A superuser's value, set before the library loads, is kept and purges by it.
SELECT outcome FROM ticketing.claim_ticket(4003, 2, 'bob', idempotency_key => 'k-2');
UPDATE ticketing.idempotency_keys SET created_at = pg_catalog.now() - interval '1 hour'
 WHERE event_id = 4003;
\c
SET ticketing.idempotency_retention = '30min';
SELECT ticketing.purge_idempotency_keys() >= 1 AS purged;
SHOW ticketing.idempotency_retention;
SELECT ticketing.idempotency_retention_seconds();
SELECT pg_catalog.count(*) AS keys_left FROM ticketing.idempotency_keys WHERE event_id = 4003;
RESET ticketing.idempotency_retention;
SELECT ticketing.idempotency_retention_seconds();

DROP OWNED BY regress_purger;
DROP ROLE regress_purger;
