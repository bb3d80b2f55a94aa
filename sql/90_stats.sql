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

-- Nothing for PUBLIC.
CREATE ROLE regress_stats_nobody;
SELECT has_table_privilege('regress_stats_nobody', 'ticketing.stats', 'SELECT') AS can_read,
       has_function_privilege('regress_stats_nobody', 'ticketing.reset_stats()', 'EXECUTE')
           AS can_reset;
DROP ROLE regress_stats_nobody;
