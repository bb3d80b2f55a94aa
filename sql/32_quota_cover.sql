--
-- 32_quota_cover: the quotas that cover a category, as a sale of one category finds
-- them (claim_any with a category, a waiting list's offer). A backend keeps the answer
-- per version of the event's row, which create_quota and drop_quota write: every change
-- of an event's quotas counts from the next call of the same session, and a quota made
-- in the caller's own open transaction counts at once. One session throughout, in a
-- database of its own so that the extension can be dropped and made again at the end.
--
\set VERBOSITY terse
CREATE DATABASE regress_quota_cover;
\c regress_quota_cover
SET client_min_messages = warning;
CREATE EXTENSION ticketing;
RESET client_min_messages;
SELECT ticketing.create_event('Quota cover', event_id => 1);
SELECT ticketing.add_tickets(1, 10, category => 'A') + ticketing.add_tickets(1, 10, category => 'B') AS added;

-- No quota yet: A sells.
SELECT outcome, quota FROM ticketing.claim_any(1, 'a1', category => 'A');
-- A quota of A with one unit left: the next claim of A takes it, the one after is refused.
SELECT ticketing.create_quota(1, 'first', 2, ARRAY['A']) > 0 AS created;
SELECT outcome, quota FROM ticketing.claim_any(1, 'a2', category => 'A');
SELECT outcome, quota FROM ticketing.claim_any(1, 'a3', category => 'A');
-- B is not covered.
SELECT outcome, quota FROM ticketing.claim_any(1, 'b1', category => 'B');
-- Dropped: A sells again.
SELECT ticketing.drop_quota(1, 'first');
SELECT outcome, quota FROM ticketing.claim_any(1, 'a4', category => 'A');

-- A quota of A and B with one unit left (3 A and 1 B sold): A takes it, B is refused.
SELECT ticketing.create_quota(1, 'second', 5, ARRAY['A', 'B']) > 0 AS created;
SELECT outcome, quota FROM ticketing.claim_any(1, 'a5', category => 'A');
SELECT outcome, quota FROM ticketing.claim_any(1, 'b2', category => 'B');
-- Dropped and another made in one transaction, so that the event counts one quota before
-- and after: the new one covers only B, with room for one more.
BEGIN;
SELECT ticketing.drop_quota(1, 'second');
SELECT ticketing.create_quota(1, 'third', 2, ARRAY['B']) > 0 AS created;
COMMIT;
SELECT quota_count FROM ticketing.events WHERE event_id = 1;
SELECT outcome, quota FROM ticketing.claim_any(1, 'a6', category => 'A');
SELECT outcome, quota FROM ticketing.claim_any(1, 'b3', category => 'B');
SELECT outcome, quota FROM ticketing.claim_any(1, 'b4', category => 'B');

-- A quota made in the caller's open transaction counts for its next claim, and is gone
-- with the rollback.
BEGIN;
SELECT ticketing.create_quota(1, 'fourth', 5, ARRAY['A']) > 0 AS created;
SELECT outcome, quota FROM ticketing.claim_any(1, 'a7', category => 'A');
ROLLBACK;
SELECT outcome, quota FROM ticketing.claim_any(1, 'a7', category => 'A');
-- The same through a savepoint rolled back: the quota made after it counts.
BEGIN;
SAVEPOINT s;
SELECT ticketing.create_quota(1, 'fifth', 5, ARRAY['B']) > 0 AS created;
ROLLBACK TO SAVEPOINT s;
SELECT ticketing.create_quota(1, 'fifth', 7, ARRAY['A']) > 0 AS created;
SELECT outcome, quota FROM ticketing.claim_any(1, 'a8', category => 'A');
SELECT outcome, quota FROM ticketing.claim_any(1, 'a9', category => 'A');
COMMIT;
SELECT quota, categories, size, sold, held, available FROM ticketing.quota_summary(1) ORDER BY quota;
SELECT * FROM ticketing.verify();

-- Made again (new tables, quota ids from 1 again): nothing of the old event counts.
SET client_min_messages = warning;
DROP EXTENSION ticketing;
CREATE EXTENSION ticketing;
RESET client_min_messages;
SELECT ticketing.create_event('Quota cover, again', event_id => 1);
SELECT ticketing.add_tickets(1, 3, category => 'A') AS added;
SELECT ticketing.create_quota(1, 'again', 1, ARRAY['A']) > 0 AS created;
SELECT outcome, quota FROM ticketing.claim_any(1, 'x1', category => 'A');
SELECT outcome, quota FROM ticketing.claim_any(1, 'x2', category => 'A');
SELECT * FROM ticketing.verify();

\c contrib_regression
DROP DATABASE regress_quota_cover;
