-- bench/checkin/setup.sql: a sold-out event and a queue of scans of its tickets' codes
-- (psql -v scan_event=E -v queue=TABLE -v scans=S -v dup_pct=P). S - S*P/100 tickets sold
-- (to 1,000 owners), and S scans of their codes in random order: every ticket once, P% of
-- them a second time (a screenshot shown at either gate).
\set ON_ERROR_STOP on
\set VERBOSITY terse
SELECT :scans - :scans * :dup_pct / 100 AS distinct_tickets \gset
SELECT ticketing.create_event('check-in storm', event_id => :scan_event);
SELECT ticketing.add_tickets(:scan_event, :distinct_tickets);
-- Sold through the extension (claim_tickets of 20 at a time), so every code is a real one.
SELECT count(*) FILTER (WHERE r.outcome = 'claimed') AS orders
  FROM generate_series(0, (:distinct_tickets - 1) / 20) b,
       LATERAL ticketing.claim_tickets(:scan_event,
           ARRAY(SELECT g::bigint FROM generate_series(b * 20 + 1, LEAST(b * 20 + 20, :distinct_tickets)) g),
           'owner-' || (b % 1000)) r;
DROP TABLE IF EXISTS :queue;
CREATE UNLOGGED TABLE :queue (n bigint PRIMARY KEY, code text NOT NULL, at timestamptz NOT NULL);
-- Every ticket once, plus dup_pct% of them a second time, shuffled together; an offline
-- gate's time of each scan (check_in_batch) follows the queue, one every 10 ms an hour ago.
INSERT INTO :queue
SELECT n, code, pg_catalog.now() - interval '1 hour' + n * interval '10 ms'
  FROM (SELECT row_number() OVER (ORDER BY random()) AS n, code
  FROM (SELECT c.code
          FROM generate_series(0, 999) o,
               LATERAL ticketing.ticket_codes(:scan_event, 'owner-' || o) c
        UNION ALL
        SELECT c.code
          FROM (SELECT c.code FROM generate_series(0, 999) o,
                       LATERAL ticketing.ticket_codes(:scan_event, 'owner-' || o) c
                 ORDER BY random() LIMIT :scans - :distinct_tickets) c) all_scans) shuffled;
VACUUM ANALYZE :queue;
