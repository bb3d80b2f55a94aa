--
-- 33_quota_spread: near the end of a quota most of its stripes have run out and the
-- few with units left are what every claim walks to. A claim that walked far past its
-- start (or wrapped around) to take a unit moves half of what that stripe has left to a
-- stripe that ran out, so concurrent claims keep finding stripes of their own to the
-- last units. The units only move: the quota's sum stays its size less what is taken.
--
\set VERBOSITY terse
SELECT ticketing.create_event('Quota spread', event_id => 3301);
SELECT ticketing.add_tickets(3301, 200, category => 'A') AS added;
SELECT ticketing.create_quota(3301, 'tail', 100, ARRAY['A'], stripes => 16) > 0 AS created;
-- Every unit in stripe 0, as when the other 15 ran out first.
UPDATE ticketing.quota_stripes s
   SET remaining = CASE WHEN s.stripe = 0 THEN 100 ELSE 0 END
  FROM ticketing.quotas q
 WHERE q.event_id = 3301 AND q.name = 'tail'
   AND s.event_id = q.event_id AND s.quota_id = q.quota_id;
-- A backend's first walk starts at a random stripe of the 16 (later ones where its last
-- walk took a unit): from any but stripe 0 it wraps around to stripe 0 and spreads. One
-- claim from each of 8 new sessions: the odds that none of them spreads are 16^-8.
\c
SELECT outcome FROM ticketing.claim_any(3301, 'c1', category => 'A');
\c
SELECT outcome FROM ticketing.claim_any(3301, 'c2', category => 'A');
\c
SELECT outcome FROM ticketing.claim_any(3301, 'c3', category => 'A');
\c
SELECT outcome FROM ticketing.claim_any(3301, 'c4', category => 'A');
\c
SELECT outcome FROM ticketing.claim_any(3301, 'c5', category => 'A');
\c
SELECT outcome FROM ticketing.claim_any(3301, 'c6', category => 'A');
\c
SELECT outcome FROM ticketing.claim_any(3301, 'c7', category => 'A');
\c
SELECT outcome FROM ticketing.claim_any(3301, 'c8', category => 'A');
SELECT pg_catalog.sum(s.remaining) AS units_left,
       count(*) FILTER (WHERE s.remaining > 0) > 1 AS spread_over_stripes,
       pg_catalog.max(s.remaining) < 92 AS stripe_0_shared
  FROM ticketing.quota_stripes s JOIN ticketing.quotas q USING (event_id, quota_id)
 WHERE q.event_id = 3301 AND q.name = 'tail';
-- Sold to the last unit: every claim after that is refused, and nothing is over.
SELECT count(*) FILTER (WHERE outcome = 'claimed') AS claimed,
       count(*) FILTER (WHERE outcome = 'quota_exhausted') AS refused
  FROM generate_series(9, 110) AS i,
       LATERAL ticketing.claim_any(3301, 'c' || i, category => 'A');
SELECT quota, size, sold, held, available FROM ticketing.quota_summary(3301);
SELECT * FROM ticketing.verify(3301);
