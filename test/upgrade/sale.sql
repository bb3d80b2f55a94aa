-- A sale in the middle, for test/upgrade/pg_upgrade.sh: run on the old cluster before
-- pg_upgrade. Every answer is checked as it comes (pg_temp.expect stops the script on a
-- surprise), so the state the upgrade must carry is known:
--   event 1 (limit 4, 1000 GA tickets): sales with and without idempotency keys, a
--     refund resold, kate at her limit, a live hold (hank, key h-1), a lapsed hold
--     (jack), a batch
--   event 2 (no limit, seats in rows): adjacent seats, a hold placed by claim_any
--   counters in ticketing.stats (the old cluster preloads the library)
\set ON_ERROR_STOP on
\set QUIET on

CREATE FUNCTION pg_temp.expect(got text, want text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF got IS DISTINCT FROM want THEN
        RAISE EXCEPTION 'expected %, got %', want, got;
    END IF;
END
$$;

CREATE EXTENSION ticketing;
SELECT pg_temp.expect(ticketing.create_event('Upgrade sale', per_customer_limit => 4, event_id => 1)::text, '1');
SELECT pg_temp.expect(ticketing.add_tickets(1, 1000)::text, '1000');
SELECT pg_temp.expect(ticketing.create_event('Upgrade sale, seated', event_id => 2)::text, '2');
SELECT pg_temp.expect(ticketing.add_tickets(2, ARRAY['A-1-1', 'A-1-2', 'A-1-3', 'A-1-4',
                                                     'B-1-1', 'B-1-2', 'B-1-3', 'B-1-4'])::text, '8');

-- Sales, with and without keys.
SELECT pg_temp.expect(outcome, 'claimed') FROM ticketing.claim_ticket(1, 1, 'alice');
SELECT pg_temp.expect(outcome, 'claimed') FROM ticketing.claim_ticket(1, 5, 'dave', idempotency_key => 'k-5');
SELECT pg_temp.expect(outcome, 'already_sold') FROM ticketing.claim_ticket(1, 5, 'erin', idempotency_key => 'k-5');
SELECT pg_temp.expect(outcome, 'claimed')
  FROM ticketing.claim_tickets(1, ARRAY[7, 6], 'frank', idempotency_key => 'order-6-7');
-- A refund, resold.
SELECT pg_temp.expect(outcome, 'claimed') FROM ticketing.claim_ticket(1, 2, 'bob');
SELECT pg_temp.expect(outcome, 'released') FROM ticketing.release_ticket(1, 2, 'bob', idempotency_key => 'refund-2');
SELECT pg_temp.expect(outcome, 'claimed') FROM ticketing.claim_ticket(1, 2, 'gina');
-- kate at her limit of 4.
SELECT pg_temp.expect(outcome, 'claimed') FROM ticketing.claim_tickets(1, ARRAY[10, 11, 12], 'kate');
SELECT pg_temp.expect(outcome, 'claimed') FROM ticketing.claim_any(1, 'kate', idempotency_key => 'kate-any');
SELECT pg_temp.expect(outcome, 'limit_reached') FROM ticketing.claim_ticket(1, 13, 'kate');
-- A live hold (a day) and a lapsed one (a second, then waited out).
SELECT pg_temp.expect(outcome, 'hold_placed')
  FROM ticketing.hold_ticket(1, 20, 'hank', interval '1 day', idempotency_key => 'h-1');
SELECT pg_temp.expect(outcome, 'hold_placed') FROM ticketing.hold_ticket(1, 30, 'jack', interval '1 second');
SELECT pg_sleep(1.2);
SELECT pg_temp.expect(status || ' ' || (hold_expires_at < pg_catalog.now())::text, 'held true')
  FROM ticketing.tickets WHERE event_id = 1 AND ticket_id = 30;
-- A batch.
SELECT pg_temp.expect(string_agg(outcome, ',' ORDER BY request_no), 'claimed,claimed,already_sold')
  FROM ticketing.claim_batch(1, ARRAY[ROW(40, 'lena', 'b-40'), ROW(NULL, 'mike', NULL),
                                      ROW(1, 'nora', NULL)]::ticketing.claim_request[]);
-- Event 2: two adjacent seats sold, two held by claim_any.
SELECT pg_temp.expect(outcome || ' ' || array_to_string(seats, ','), 'claimed A-1-1,A-1-2')
  FROM ticketing.claim_any(2, 'olga', 2, adjacent => true);
SELECT pg_temp.expect(outcome, 'hold_placed')
  FROM ticketing.claim_any(2, 'pete', 2, section => 'B', hold_for => interval '1 day');

SELECT pg_temp.expect(pg_catalog.count(*)::text, '0') FROM ticketing.verify();
SELECT pg_temp.expect(scope || ' ' || (attempts > 0)::text, 'cluster true')
  FROM ticketing.stats WHERE event_id IS NULL;
