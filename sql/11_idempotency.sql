--
-- 11_idempotency: idempotency keys on every mutating call (1.1). A retry with the same
-- key and the same request answers the original result (outcome, tickets, `at`) and
-- changes nothing; the same key with another request is SQLSTATE TK001. Only answers that
-- changed tickets are remembered (sql/28_idempotency_refusals.sql). Keys belong
-- to a customer, vanish with a rolled-back call, and are forgotten after
-- ticketing.idempotency_retention.
--
\set VERBOSITY terse

\i sql/include/try.sql

SELECT ticketing.create_event('Idempotency test', event_id => 1101);
SELECT ticketing.add_tickets(1101, 12);
SELECT ticketing.create_event('Idempotency test, orders', event_id => 1102);
SELECT ticketing.add_tickets(1102, 10);
SELECT ticketing.create_event('Idempotency test, retention', event_id => 1103);
SELECT ticketing.add_tickets(1103, 4);

-------------------------------------------------------------------------------
-- claim_ticket
-------------------------------------------------------------------------------
SELECT at AS first_at
  FROM ticketing.claim_ticket(1101, 1, 'alice', idempotency_key => 'order-1') \gset
SELECT count(*) AS audit_before FROM ticketing.audit_log \gset
-- The retry, in a later transaction: the original answer, `at` included, and no
-- second audit row (a plain retry would have said already_owned).
SELECT outcome, event_id, ticket_id, seat, owner_is_you, at = :'first_at'::timestamptz AS same_at,
       hold_expires_at
  FROM ticketing.claim_ticket(1101, 1, 'alice', idempotency_key => 'order-1');
SELECT outcome FROM ticketing.claim_ticket(1101, 1, 'alice');
-- Twice more inside one transaction: still the original answer, and no write at all.
BEGIN;
SELECT outcome, at = :'first_at'::timestamptz AS same_at
  FROM ticketing.claim_ticket(1101, 1, 'alice', 'wait', 'order-1');
SELECT outcome, at = :'first_at'::timestamptz AS same_at
  FROM ticketing.claim_ticket(1101, 1, 'alice', idempotency_key => 'order-1');
COMMIT;
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 1101 ORDER BY audit_id;

-- What the key remembers.
SELECT customer, idempotency_key, event_id, outcome, ticket_ids, seats,
       at = :'first_at'::timestamptz AS same_at, hold_expires_at, remaining
  FROM ticketing.idempotency_keys WHERE event_id = 1101 ORDER BY customer, idempotency_key COLLATE "C";

-- The original answer stands even after the ticket changed hands: alice releases it
-- and bob buys it; alice's retry still says claimed, and sells nothing.
SELECT outcome FROM ticketing.release_ticket(1101, 1, 'alice');
SELECT outcome FROM ticketing.claim_ticket(1101, 1, 'bob');
SELECT outcome, owner_is_you, at = :'first_at'::timestamptz AS same_at
  FROM ticketing.claim_ticket(1101, 1, 'alice', idempotency_key => 'order-1');
SELECT status, owner FROM ticketing.tickets WHERE event_id = 1101 AND ticket_id = 1;

-- Answers that change nothing are not remembered (1.3): carol's retry after bob's release
-- runs again and buys; not_found leaves no key.
SELECT outcome, owner_is_you FROM ticketing.claim_ticket(1101, 1, 'carol', idempotency_key => 'c-1');
SELECT outcome FROM ticketing.release_ticket(1101, 1, 'bob');
SELECT outcome, owner_is_you FROM ticketing.claim_ticket(1101, 1, 'carol', idempotency_key => 'c-1');
SELECT status, owner FROM ticketing.tickets WHERE event_id = 1101 AND ticket_id = 1;
SELECT outcome FROM ticketing.claim_ticket(1101, 99, 'carol', idempotency_key => 'c-2');
SELECT * FROM ticketing.claim_ticket(1101, 99, 'carol', idempotency_key => 'c-2');
SELECT outcome, ticket_ids, seats, at FROM ticketing.idempotency_keys
 WHERE customer = 'carol' AND idempotency_key = 'c-2';

-------------------------------------------------------------------------------
-- The same key for another request: TK001, and nothing changes. Keys are compared
-- exactly: 'order-1 ' and 'ORDER-1' are other keys.
-------------------------------------------------------------------------------
SELECT count(*) AS audit_before FROM ticketing.audit_log \gset
SELECT ord, t.*
  FROM (VALUES
        -- another ticket, another call (another event is another key: see the end)
        (1, $$SELECT ticketing.claim_ticket(1101, 2, 'alice', idempotency_key => 'order-1')$$),
        (2, $$SELECT ticketing.claim_tickets(1101, ARRAY[1, 2], 'alice', idempotency_key => 'order-1')$$),
        (3, $$SELECT ticketing.hold_ticket(1101, 1, 'alice', idempotency_key => 'order-1')$$),
        (4, $$SELECT ticketing.release_ticket(1101, 1, 'alice', idempotency_key => 'order-1')$$),
        (5, $$SELECT ticketing.confirm_hold(1101, 1, 'alice', idempotency_key => 'order-1')$$),
        (6, $$SELECT ticketing.release_hold(1101, 1, 'alice', idempotency_key => 'order-1')$$),
        (7, $$SELECT ticketing.claim_tickets(1101, ARRAY[1], 'alice', idempotency_key => 'order-1')$$),
        (8, $$SELECT ticketing.claim_any(1101, 'alice', idempotency_key => 'order-1')$$),
        -- other keys: these two sell
        (9, $$SELECT ticketing.claim_ticket(1101, 2, 'alice', idempotency_key => 'order-1 ')$$),
        (10, $$SELECT ticketing.claim_ticket(1101, 3, 'alice', idempotency_key => 'ORDER-1')$$)
       ) AS v(ord, stmt),
       LATERAL pg_temp.try(v.stmt) AS t
 ORDER BY ord;
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;
SELECT ticket_id, status, owner FROM ticketing.tickets
 WHERE event_id = 1101 AND ticket_id <= 3 ORDER BY ticket_id;
-- The two new keys are alice's too; 'order-1' still answers its first request.
SELECT quote_literal(idempotency_key) AS idempotency_key, outcome, ticket_ids
  FROM ticketing.idempotency_keys
 WHERE customer = 'alice' ORDER BY idempotency_key COLLATE "C";
SELECT outcome, at = :'first_at'::timestamptz AS same_at
  FROM ticketing.claim_ticket(1101, 1, 'alice', idempotency_key => 'order-1');

-- As the client sees it; the error aborts the transaction like any other.
BEGIN;
SELECT * FROM ticketing.claim_ticket(1101, 4, 'alice', idempotency_key => 'order-1');
\echo :SQLSTATE
ROLLBACK;
\set VERBOSITY default
SELECT * FROM ticketing.hold_ticket(1101, 1, 'alice', idempotency_key => 'order-1');
\set VERBOSITY terse

-- Keys belong to a customer: bob may use alice's key for his own request.
SELECT outcome, ticket_id, owner_is_you
  FROM ticketing.claim_ticket(1101, 4, 'bob', idempotency_key => 'order-1');
SELECT outcome, ticket_id, owner_is_you
  FROM ticketing.claim_ticket(1101, 4, 'bob', idempotency_key => 'order-1');
SELECT customer, idempotency_key, outcome, ticket_ids FROM ticketing.idempotency_keys
 WHERE idempotency_key = 'order-1' ORDER BY customer COLLATE "C";

-------------------------------------------------------------------------------
-- A rolled-back call leaves no key: the retry runs for real.
-------------------------------------------------------------------------------
BEGIN;
SELECT outcome FROM ticketing.claim_ticket(1101, 5, 'alice', idempotency_key => 'rolled-back');
SELECT count(*) AS keys_inside FROM ticketing.idempotency_keys
 WHERE customer = 'alice' AND idempotency_key = 'rolled-back';
ROLLBACK;
SELECT count(*) AS keys_after FROM ticketing.idempotency_keys
 WHERE customer = 'alice' AND idempotency_key = 'rolled-back';
-- The key is free, even for another request.
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1101, 6, 'alice', idempotency_key => 'rolled-back');
SELECT ticket_id, status, owner FROM ticketing.tickets
 WHERE event_id = 1101 AND ticket_id IN (5, 6) ORDER BY ticket_id;

-- A call refused for bad input leaves no key either.
SELECT state FROM pg_temp.try($$SELECT ticketing.hold_ticket(1101, 7, 'alice', interval '0', idempotency_key => 'bad')$$);
SELECT count(*) AS bad_keys FROM ticketing.idempotency_keys WHERE idempotency_key = 'bad';

-------------------------------------------------------------------------------
-- Holds and releases.
-------------------------------------------------------------------------------
SELECT at AS hold_at, hold_expires_at AS hold_until
  FROM ticketing.hold_ticket(1101, 7, 'dave', idempotency_key => 'h-1') \gset
SELECT outcome, owner_is_you, at = :'hold_at'::timestamptz AS same_at,
       hold_expires_at = :'hold_until'::timestamptz AS same_expiry
  FROM ticketing.hold_ticket(1101, 7, 'dave', idempotency_key => 'h-1');
-- 600 seconds is the default 10 minutes: the same request.
SELECT outcome, at = :'hold_at'::timestamptz AS same_at
  FROM ticketing.hold_ticket(1101, 7, 'dave', interval '600 seconds', idempotency_key => 'h-1');
SELECT state FROM pg_temp.try($$SELECT ticketing.hold_ticket(1101, 7, 'dave', interval '11 minutes', idempotency_key => 'h-1')$$);
SELECT at AS confirm_at FROM ticketing.confirm_hold(1101, 7, 'dave', idempotency_key => 'h-2') \gset
SELECT outcome, owner_is_you, at = :'confirm_at'::timestamptz AS same_at
  FROM ticketing.confirm_hold(1101, 7, 'dave', idempotency_key => 'h-2');
SELECT outcome FROM ticketing.confirm_hold(1101, 7, 'dave');

SELECT outcome FROM ticketing.hold_ticket(1101, 8, 'dave', idempotency_key => 'h-3');
SELECT outcome FROM ticketing.release_hold(1101, 8, 'dave', idempotency_key => 'h-4');
SELECT outcome FROM ticketing.release_hold(1101, 8, 'dave', idempotency_key => 'h-4');
SELECT outcome FROM ticketing.release_hold(1101, 8, 'dave');
SELECT outcome FROM ticketing.release_ticket(1101, 7, 'dave', idempotency_key => 'h-5');
SELECT outcome FROM ticketing.release_ticket(1101, 7, 'dave', idempotency_key => 'h-5');
SELECT outcome FROM ticketing.release_ticket(1101, 7, 'dave');
-- Each change happened once.
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 1101 AND ticket_id IN (7, 8) ORDER BY audit_id;

-------------------------------------------------------------------------------
-- Orders.
-------------------------------------------------------------------------------
SELECT at AS order_at FROM ticketing.claim_tickets(1102, ARRAY[2, 1], 'erin', idempotency_key => 'o-1') \gset
SELECT count(*) AS audit_before FROM ticketing.audit_log \gset
SELECT outcome, ticket_ids, seats, at = :'order_at'::timestamptz AS same_at
  FROM ticketing.claim_tickets(1102, ARRAY[2, 1], 'erin', idempotency_key => 'o-1');
-- The same tickets in another order are the same request.
SELECT outcome, ticket_ids, at = :'order_at'::timestamptz AS same_at
  FROM ticketing.claim_tickets(1102, ARRAY[1, 2], 'erin', idempotency_key => 'o-1');
SELECT ord, t.*
  FROM (VALUES
        (1, $$SELECT ticketing.claim_tickets(1102, ARRAY[1, 2, 3], 'erin', idempotency_key => 'o-1')$$),
        (2, $$SELECT ticketing.claim_tickets(1102, ARRAY[1, 2], 'erin', hold_for => interval '1 hour', idempotency_key => 'o-1')$$),
        (3, $$SELECT ticketing.claim_ticket(1102, 1, 'erin', idempotency_key => 'o-1')$$)
       ) AS v(ord, stmt),
       LATERAL pg_temp.try(v.stmt) AS t
 ORDER BY ord;
-- A blocked order is not remembered: after erin's release the retry buys, and from then
-- on the key answers that sale.
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(1102, ARRAY[2, 3], 'frank', idempotency_key => 'o-2');
SELECT outcome FROM ticketing.release_ticket(1102, 2, 'erin');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(1102, ARRAY[2, 3], 'frank', idempotency_key => 'o-2');
SELECT outcome, ticket_ids FROM ticketing.claim_tickets(1102, ARRAY[2, 3], 'frank', idempotency_key => 'o-3');
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;

-- claim_any answers with the same tickets on a retry, however it picked them.
SELECT ticket_ids AS any_ids, at AS any_at, hold_expires_at AS any_until
  FROM ticketing.claim_any(1102, 'gina', 3, hold_for => interval '1 hour', idempotency_key => 'a-1') \gset
SELECT count(*) AS audit_before FROM ticketing.audit_log \gset
SELECT outcome, ticket_ids = :'any_ids' AS same_tickets, at = :'any_at'::timestamptz AS same_at,
       hold_expires_at = :'any_until'::timestamptz AS same_expiry
  FROM ticketing.claim_any(1102, 'gina', 3, hold_for => interval '1 hour', idempotency_key => 'a-1');
SELECT outcome, ticket_ids = :'any_ids' AS same_tickets
  FROM ticketing.claim_any(1102, 'gina', 3, NULL, NULL, false, interval '60 minutes', 'a-1');
SELECT count(*) - :audit_before AS new_audit_rows FROM ticketing.audit_log;
SELECT ord, t.*
  FROM (VALUES
        (1, $$SELECT ticketing.claim_any(1102, 'gina', 2, hold_for => interval '1 hour', idempotency_key => 'a-1')$$),
        (2, $$SELECT ticketing.claim_any(1102, 'gina', 3, idempotency_key => 'a-1')$$),
        (3, $$SELECT ticketing.claim_any(1102, 'gina', 3, hold_for => interval '2 hours', idempotency_key => 'a-1')$$),
        (4, $$SELECT ticketing.claim_any(1102, 'gina', 3, adjacent => true, hold_for => interval '1 hour', idempotency_key => 'a-1')$$),
        (5, $$SELECT ticketing.claim_any(1102, 'gina', 3, section => 'GA', hold_for => interval '1 hour', idempotency_key => 'a-1')$$)
       ) AS v(ord, stmt),
       LATERAL pg_temp.try(v.stmt) AS t
 ORDER BY ord;
-- section => 'GA' and seat_prefix => 'GA-' are one request.
SELECT outcome, cardinality(ticket_ids) AS tickets
  FROM ticketing.claim_any(1102, 'gina', 1, section => 'GA', idempotency_key => 'a-2');
SELECT outcome, cardinality(ticket_ids) AS tickets
  FROM ticketing.claim_any(1102, 'gina', 1, seat_prefix => 'GA-', idempotency_key => 'a-2');
-- insufficient is not remembered: no key row.
SELECT outcome, remaining FROM ticketing.claim_any(1102, 'harry', 50, idempotency_key => 'a-3');
SELECT outcome, remaining FROM ticketing.claim_any(1102, 'harry', 50, idempotency_key => 'a-3');
SELECT outcome, remaining FROM ticketing.idempotency_keys WHERE customer = 'harry';
SELECT * FROM ticketing.verify(1102);

-------------------------------------------------------------------------------
-- Retention: a key older than ticketing.idempotency_retention is treated as unused,
-- and purge_idempotency_keys() removes it.
-------------------------------------------------------------------------------
SHOW ticketing.idempotency_retention;
SELECT outcome FROM ticketing.claim_ticket(1103, 1, 'ivan', idempotency_key => 'r-1');
SELECT outcome FROM ticketing.claim_ticket(1103, 1, 'ivan', idempotency_key => 'r-1');
SET ticketing.idempotency_retention = '1s';
SHOW ticketing.idempotency_retention;
SELECT pg_sleep(1.1);
-- Forgotten: the same request runs again (already_owned now), and the key may be
-- used for another request.
SELECT outcome FROM ticketing.claim_ticket(1103, 1, 'ivan', idempotency_key => 'r-1');
SELECT outcome FROM ticketing.idempotency_keys WHERE customer = 'ivan' AND idempotency_key = 'r-1';
SELECT outcome FROM ticketing.claim_ticket(1103, 2, 'ivan', idempotency_key => 'r-2');
SELECT pg_sleep(1.1);
-- (One transaction, so that no second passes between the call and its retry.)
BEGIN;
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1103, 3, 'ivan', idempotency_key => 'r-2');
-- ... and remembered again from then on.
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1103, 3, 'ivan', idempotency_key => 'r-2');
COMMIT;
SELECT idempotency_key, outcome, ticket_ids FROM ticketing.idempotency_keys
 WHERE customer = 'ivan' ORDER BY idempotency_key COLLATE "C";
SELECT ticket_id, from_status, to_status, customer
  FROM ticketing.audit_log WHERE event_id = 1103 ORDER BY audit_id;

-- purge_idempotency_keys(older_than) deletes the keys older than that.
SELECT count(*) AS older_than_a_day FROM ticketing.idempotency_keys
 WHERE created_at < now() - interval '1 day' \gset
SELECT ticketing.purge_idempotency_keys(interval '1 day') = :older_than_a_day AS purged_old_ones;
SELECT pg_sleep(1.1);
SELECT count(*) AS older_than_a_second FROM ticketing.idempotency_keys
 WHERE created_at < now() - interval '1 second' \gset
SELECT :older_than_a_second > 0 AS some_keys,
       ticketing.purge_idempotency_keys(interval '1 second') = :older_than_a_second AS purged;
SELECT count(*) AS left_over FROM ticketing.idempotency_keys
 WHERE created_at < now() - interval '1 second';
-- Without an argument it uses the setting (still 1 second here).
BEGIN;
SELECT outcome FROM ticketing.claim_ticket(1103, 4, 'ivan', idempotency_key => 'r-3');
SELECT ticketing.purge_idempotency_keys() AS purged_fresh;
COMMIT;
SELECT pg_sleep(1.1);
SELECT ticketing.purge_idempotency_keys() AS purged_by_setting;
SELECT count(*) AS keys_left FROM ticketing.idempotency_keys;
RESET ticketing.idempotency_retention;
SHOW ticketing.idempotency_retention;
-- Only a superuser sets the retention: on a pooled connection one client's SET would
-- decide whether the next client's retry is recognised. Never less than a second.
CREATE ROLE regress_pooled_app;
SET ROLE regress_pooled_app;
SET ticketing.idempotency_retention = '1s';
\echo :LAST_ERROR_SQLSTATE
BEGIN;
SET LOCAL ticketing.idempotency_retention = '1s';
ROLLBACK;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE regress_pooled_app;
SET ticketing.idempotency_retention = '-1';
\echo :LAST_ERROR_SQLSTATE
SET ticketing.idempotency_retention = 0;
\echo :LAST_ERROR_SQLSTATE
SHOW ticketing.idempotency_retention;
-- The default retention is a day: a fresh key stays.
SELECT outcome FROM ticketing.claim_ticket(1103, 4, 'ivan', idempotency_key => 'r-4');
SELECT ticketing.purge_idempotency_keys() AS purged_default;
SELECT ticketing.purge_idempotency_keys(NULL) AS purged_null;
SELECT idempotency_key, outcome FROM ticketing.idempotency_keys ORDER BY idempotency_key COLLATE "C";

-- Keys are scoped per (event, customer): the same key in two events is two keys, so the
-- answer does not depend on whether the events live on one node or on two shards.
SELECT ticketing.create_event('Keys, first event', event_id => 1190);
SELECT ticketing.add_tickets(1190, 2);
SELECT ticketing.create_event('Keys, second event', event_id => 1191);
SELECT ticketing.add_tickets(1191, 2);
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1190, 1, 'jo', idempotency_key => 'order-1');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1191, 1, 'jo', idempotency_key => 'order-1');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1190, 1, 'jo', idempotency_key => 'order-1');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1191, 1, 'jo', idempotency_key => 'order-1');
SELECT outcome, ticket_id FROM ticketing.claim_ticket(1190, 2, 'jo', idempotency_key => 'order-1');
\echo :LAST_ERROR_SQLSTATE
SELECT event_id, customer, idempotency_key, outcome FROM ticketing.idempotency_keys
 WHERE idempotency_key = 'order-1' ORDER BY event_id;
SELECT count(*) AS sales FROM ticketing.audit_log WHERE event_id IN (1190, 1191) AND customer = 'jo';

SELECT * FROM ticketing.verify();
