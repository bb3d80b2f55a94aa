--
-- 38_admin_edges: administrative calls, found by a review (each failed on 154b54f):
-- - purge_idempotency_keys() read the retention as a calendar day ('1d'), 23 hours on
--   the day clocks go forward, and purged keys a retry still needed: it bought again;
-- - add_tickets with a two-dimensional seats array raised 0A000, not 22023;
-- - quota_summary and category_summary answered no rows for a NULL or unknown event;
-- - verify() said nothing of a ticket the audit log names that was deleted by hand.
--
\set VERBOSITY sqlstate

-- A time zone whose clocks went forward at 00:00 UTC today: '1 day' back from now is 23
-- hours back.
SELECT pg_catalog.set_config('TimeZone',
         pg_catalog.format('AAA0BBB,J%s/0,J%s/0', d, pg_catalog.least(d + 10, 365)), false) IS NOT NULL AS set
  FROM (SELECT pg_catalog.date_part('doy', pg_catalog.now() AT TIME ZONE 'UTC')::int AS d) x;
SELECT pg_catalog.now() - (pg_catalog.now() - interval '1 day') AS calendar_day_today;
SELECT ticketing.create_event('Purge on a short day', event_id => 3801);
SELECT ticketing.add_tickets(3801, 5);
SELECT outcome, ticket_ids AS first FROM ticketing.claim_any(3801, 'alice', idempotency_key => 'k1') \gset
-- The key is 23.5 hours old: inside the 24-hour retention, so it is kept...
UPDATE ticketing.idempotency_keys SET created_at = pg_catalog.now() - interval '23 hours 30 minutes'
 WHERE event_id = 3801;
SELECT ticketing.purge_idempotency_keys() AS purged;
-- ...and the retry replays the first sale instead of buying another ticket.
SELECT outcome, ticket_ids = :'first'::bigint[] AS same_ticket
  FROM ticketing.claim_any(3801, 'alice', idempotency_key => 'k1');
SELECT pg_catalog.count(*) AS sold FROM ticketing.tickets WHERE event_id = 3801 AND status = 'sold';
-- At 24.5 hours it is purged.
UPDATE ticketing.idempotency_keys SET created_at = pg_catalog.now() - interval '24 hours 30 minutes'
 WHERE event_id = 3801;
SELECT ticketing.purge_idempotency_keys() AS purged;
-- An age past 100 years is bad input, not an overflow.
SELECT ticketing.purge_idempotency_keys(interval '300000 years');
RESET TimeZone;

-- Seats as a two-dimensional array: bad input.
SELECT ticketing.add_tickets(3801, ARRAY[['x', 'y'], ['z', 'w']]);
SELECT ticketing.add_tickets(3801, ARRAY[['x', NULL]]);

-- The summaries check their event as event_summary does (they answered no rows).
SELECT * FROM ticketing.quota_summary(NULL);
SELECT * FROM ticketing.quota_summary(-1);
SELECT * FROM ticketing.quota_summary(999999);
SELECT * FROM ticketing.category_summary(NULL);
SELECT * FROM ticketing.category_summary(999999);
SELECT category, total, sold FROM ticketing.category_summary(3801);

-- verify() reports a ticket the audit log names that is gone (it reported nothing).
\set VERBOSITY terse
SELECT ticketing.create_event('Deleted by hand', event_id => 3802);
SELECT ticketing.add_tickets(3802, 3);
SELECT outcome FROM ticketing.claim_ticket(3802, 2, 'bob');
DELETE FROM ticketing.tickets WHERE event_id = 3802 AND ticket_id = 2;
SELECT * FROM ticketing.verify(3802);
DELETE FROM ticketing.audit_log WHERE event_id = 3802;
