-- A sale in the middle, for test/upgrade/pg_upgrade.sh: run on the old cluster before
-- pg_upgrade. Every answer is checked as it comes (pg_temp.expect stops the script on a
-- surprise), so the state the upgrade must carry is known:
--   event 1 (limit 4, 1000 GA tickets): sales with and without idempotency keys, a
--     refund resold, kate at her limit, a live hold (hank, key h-1), a batch, a lapsed
--     hold (jack)
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
-- (claim_any picks from a random start: kate's fourth ticket comes from the GA-8 block,
-- tickets 8, 80-89 and 800-899, none of which this sale or the checks after the upgrade
-- name, so it cannot take a ticket they expect to be free.)
SELECT pg_temp.expect(outcome, 'claimed')
  FROM ticketing.claim_any(1, 'kate', seat_prefix => 'GA-8', idempotency_key => 'kate-any');
SELECT pg_temp.expect(outcome, 'limit_reached') FROM ticketing.claim_ticket(1, 13, 'kate');
-- A live hold (a day), placed before the batch: no any-seat request takes a live hold.
SELECT pg_temp.expect(outcome, 'hold_placed')
  FROM ticketing.hold_ticket(1, 20, 'hank', interval '1 day', idempotency_key => 'h-1');
-- A batch. Its any-seat request (mike) picks from a random start, so what is held or
-- claimed by ticket id after it is a ticket free at that moment.
SELECT pg_temp.expect(string_agg(outcome, ',' ORDER BY request_no), 'claimed,claimed,already_sold')
  FROM ticketing.claim_batch(1, ARRAY[ROW(40, 'lena', 'b-40'), ROW(NULL, 'mike', NULL),
                                      ROW(1, 'nora', NULL)]::ticketing.claim_request[]);
-- A lapsed hold (a second, then waited out) on the first ticket from 30 on that is free
-- (30 unless mike's request took it).
SELECT pg_temp.expect(outcome, 'hold_placed')
  FROM ticketing.hold_ticket(1, (SELECT pg_catalog.min(ticket_id) FROM ticketing.tickets
                                  WHERE event_id = 1 AND status = 'available' AND ticket_id >= 30),
                             'jack', interval '1 second');
SELECT pg_sleep(1.2);
SELECT pg_temp.expect(status || ' ' || (hold_expires_at < pg_catalog.now())::text, 'held true')
  FROM ticketing.tickets WHERE event_id = 1 AND owner = 'jack';
-- Event 2: two adjacent seats sold, two held by claim_any.
SELECT pg_temp.expect(outcome || ' ' || array_to_string(seats, ','), 'claimed A-1-1,A-1-2')
  FROM ticketing.claim_any(2, 'olga', 2, adjacent => true);
SELECT pg_temp.expect(outcome, 'hold_placed')
  FROM ticketing.claim_any(2, 'pete', 2, section => 'B', hold_for => interval '1 day');

SELECT pg_temp.expect(pg_catalog.count(*)::text, '0') FROM ticketing.verify();
SELECT pg_temp.expect(scope || ' ' || (attempts > 0)::text, 'cluster true')
  FROM ticketing.stats WHERE event_id IS NULL;
