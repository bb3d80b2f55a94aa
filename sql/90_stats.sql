-- ticketing.stats: in-memory counters of what the calls did. pg_regress runs without
-- shared_preload_libraries, so the scope is this session and the counts are exact.
SELECT ticketing.create_event('Stats', event_id => 9001);
SELECT ticketing.add_tickets(9001, 3);
SELECT ticketing.create_event('Stats other', event_id => 9002);
SELECT ticketing.add_tickets(9002, 1);
SELECT ticketing.reset_stats();

SELECT outcome FROM ticketing.claim_ticket(9001, 1, 'alice');
SELECT outcome FROM ticketing.claim_ticket(9001, 1, 'alice');
SELECT outcome FROM ticketing.claim_ticket(9001, 1, 'bob');
SELECT outcome FROM ticketing.claim_ticket(9001, 9, 'bob');
SELECT outcome FROM ticketing.release_ticket(9001, 1, 'alice');
SELECT outcome FROM ticketing.claim_any(9001, 'carol', 5);
SELECT outcome FROM ticketing.claim_any(9002, 'carol');
SELECT outcome FROM ticketing.claim_any(9002, 'carol');
SELECT outcome, count(*) FROM ticketing.claim_batch(9001,
    ARRAY[ROW(2, 'dave', NULL), ROW(2, 'erin', NULL)]::ticketing.claim_request[]) GROUP BY 1 ORDER BY 1;
-- An error after validation counts as an error; bad input is refused before it counts.
SELECT outcome FROM ticketing.claim_ticket(9001, 3, 'frank', idempotency_key => 'k');
SELECT outcome FROM ticketing.claim_ticket(9001, 2, 'frank', idempotency_key => 'k');
SELECT outcome FROM ticketing.claim_ticket(9001, -1, 'frank');

SELECT event_id, scope, attempts, claimed, already_owned, already_sold, not_found, released,
       insufficient, sold_out, errors, lock_waits, skips
  FROM ticketing.stats ORDER BY event_id NULLS FIRST;

SELECT ticketing.reset_stats();
SELECT event_id, attempts, claimed, errors FROM ticketing.stats ORDER BY event_id NULLS FIRST;

-- Calls naming events that do not exist never take counters of their own (issue 16,
-- finding 9): 1,101 of them, then a real event's call is still tracked by event. They
-- count in the total.
SELECT count(*) AS not_found
  FROM pg_catalog.generate_series(100001, 101101) AS g,
       LATERAL ticketing.claim_ticket(g, 1, 'ghost') AS r
 WHERE r.outcome = 'not_found';
SELECT count(*) AS tracked_events FROM ticketing.stats WHERE event_id IS NOT NULL;
SELECT outcome FROM ticketing.claim_ticket(9002, 1, 'zed');
SELECT event_id, attempts, claimed, already_sold, not_found FROM ticketing.stats
 ORDER BY event_id NULLS FIRST;
-- reset_stats() frees the events' counters: a later call tracks its event again.
SELECT ticketing.reset_stats();
SELECT count(*) AS tracked_events FROM ticketing.stats WHERE event_id IS NOT NULL;
SELECT outcome FROM ticketing.claim_ticket(9001, 1, 'zed');
SELECT event_id, attempts, claimed FROM ticketing.stats ORDER BY event_id NULLS FIRST;

-- 1.3, found by a review of e8a6832. Bad input that only a call's body can judge is not
-- counted either: a hold past a cart's 100 tickets (also through claim_batch), and
-- offer_waitlist of an unknown event (both counted as errors before). Reads and
-- maintenance are not counted at all: cart_contents (whose `opened` was counted as a cart
-- opened), waitlist_position, expire_holds and offer_waitlist (counted before when they
-- failed, in a read-only transaction say).
SELECT ticketing.create_event('Stats 1.3', event_id => 9003);
SELECT ticketing.add_tickets(9003, 104);
SELECT token AS tok FROM ticketing.open_cart(9003, 'kim') \gset
SELECT outcome, pg_catalog.cardinality(ticket_ids) AS held
  FROM ticketing.claim_tickets(9003, ARRAY(SELECT pg_catalog.generate_series(1, 100))::bigint[], 'kim',
                               cart => :'tok');
SELECT ticketing.open_waitlist(9003);
SELECT ticketing.reset_stats();
\set VERBOSITY terse
SELECT outcome FROM ticketing.hold_ticket(9003, 101, 'kim', cart => :'tok');
SELECT outcome FROM ticketing.claim_batch(9003,
    ARRAY[ROW(102, 'kim', NULL, NULL, :'tok')]::ticketing.batch_request[]);
SELECT ticketing.offer_waitlist(999999);
SELECT outcome, pg_catalog.cardinality(ticket_ids) AS items FROM ticketing.cart_contents(9003, :'tok', 'kim');
SELECT ticketing.offer_waitlist(9003);
SELECT outcome FROM ticketing.waitlist_position(9003, 'nobody');
SELECT ticketing.expire_holds(9003);
BEGIN READ ONLY;
SELECT ticketing.expire_holds(9003);
ROLLBACK;
BEGIN READ ONLY;
SELECT ticketing.offer_waitlist(9003);
ROLLBACK;
\set VERBOSITY default
SELECT event_id, attempts, opened, not_found, errors FROM ticketing.stats ORDER BY event_id NULLS FIRST;

-- Every answer of a counted call has a column of its own: check-in, transfer, joining and
-- leaving the waiting list too. attempts is every outcome column plus errors.
SELECT code AS code1 FROM ticketing.claim_ticket(9003, 101, 'ann') \gset
SELECT code AS code2 FROM ticketing.claim_ticket(9003, 102, 'ann') \gset
SELECT code AS other_event_code FROM ticketing.ticket_codes(9001, 'zed') \gset
SELECT outcome FROM ticketing.check_in(9003, :'code1', 'north');
SELECT outcome FROM ticketing.check_in(9003, :'code1', 'south');
SELECT outcome FROM ticketing.check_in(9003, 'TK1.forged', 'north');
SELECT outcome FROM ticketing.check_in(9003, :'other_event_code', 'north');
SELECT outcome FROM ticketing.transfer_ticket(9003, 102, 'ann', 'ben');
SELECT outcome FROM ticketing.transfer_ticket(9003, 102, 'ann', 'ben');
SELECT outcome FROM ticketing.check_in(9003, :'code2', 'north');
SELECT code AS code3 FROM ticketing.claim_ticket(9003, 103, 'cat') \gset
SELECT outcome FROM ticketing.release_ticket(9003, 103, 'cat');
SELECT outcome FROM ticketing.check_in(9003, :'code3', 'north');
SELECT outcome FROM ticketing.join_waitlist(9003, 'wes');
SELECT outcome FROM ticketing.join_waitlist(9003, 'vic');
SELECT outcome FROM ticketing.join_waitlist(9003, 'una');
SELECT outcome FROM ticketing.join_waitlist(9003, 'una');
SELECT outcome FROM ticketing.leave_waitlist(9003, 'una');
SELECT outcome FROM ticketing.leave_waitlist(9003, 'una');
SELECT ticketing.close_waitlist(9003);
SELECT outcome FROM ticketing.join_waitlist(9003, 'tom');
-- An error after validation (key reuse) is still counted.
SELECT outcome FROM ticketing.release_ticket(9003, 102, 'ben', idempotency_key => 'rk');
\set VERBOSITY terse
SELECT outcome FROM ticketing.claim_ticket(9003, 102, 'ben', idempotency_key => 'rk');
\set VERBOSITY default
SELECT attempts, claimed, released, not_owner, admitted, already_admitted, not_sold, unknown_code,
       wrong_event, revoked, transferred, joined, offered, already_waiting, "left", not_waiting,
       waitlist_closed, errors
  FROM ticketing.stats WHERE event_id = 9003;
SELECT s.event_id,
       s.attempts = (SELECT pg_catalog.sum(j.value::bigint)
                       FROM pg_catalog.jsonb_each_text(pg_catalog.to_jsonb(s)) AS j
                      WHERE j.key NOT IN ('event_id', 'scope', 'attempts', 'lock_waits',
                                          'lock_wait_ms', 'skips')) AS attempts_add_up
  FROM ticketing.stats s ORDER BY s.event_id NULLS FIRST;
-- waitlist_position's `waiting` is the one outcome without a column (a read, not counted).
SELECT pg_catalog.count(*) AS columns,
       pg_catalog.count(*) FILTER (WHERE a.attname = 'waiting') AS waiting
  FROM pg_catalog.pg_attribute a
 WHERE a.attrelid = 'ticketing.stats'::pg_catalog.regclass AND a.attnum > 0;

-- Nothing for PUBLIC.
CREATE ROLE regress_stats_nobody;
SELECT has_table_privilege('regress_stats_nobody', 'ticketing.stats', 'SELECT') AS can_read,
       has_function_privilege('regress_stats_nobody', 'ticketing.reset_stats()', 'EXECUTE')
           AS can_reset;
DROP ROLE regress_stats_nobody;
