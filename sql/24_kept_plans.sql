--
-- 24_kept_plans: the plans the extension keeps for the life of a backend do not depend
-- on the session that happened to plan them (issue 16, finding 6). Through a pooler,
-- one client's SET outlives its transaction in the server connection, and the next
-- client gets whatever plans it made. Here a backend's first calls run with index scans
-- disabled and random pages priced a million times higher; afterwards (RESET ALL, as a
-- pooler's server_reset_query does) every call still reads a handful of blocks of a
-- 100,000-ticket event, where a sequential scan reads all of them on every call. And the
-- planner settings a session chose for its own queries are left as it set them.
--
-- The count is of blocks of ticketing.tickets this transaction read (pg_stat), so it
-- does not depend on the machine's speed.
--
\set VERBOSITY terse
CREATE DATABASE regress_kept_plans;
\c regress_kept_plans
SET client_min_messages = warning;
CREATE EXTENSION ticketing;
RESET client_min_messages;
SELECT ticketing.create_event('Kept plans', event_id => 1);
SELECT ticketing.add_tickets(1, 100000);
SELECT ticketing.create_event('Kept plans, limited', per_customer_limit => 50, event_id => 2);
SELECT ticketing.add_tickets(2, 1000);
-- Any-seat calls pick at random: they get events of their own, so that they never take a
-- ticket a later call names.
SELECT ticketing.create_event('Kept plans, any seat', event_id => 3);
SELECT ticketing.add_tickets(3, 1000);
SELECT ticketing.create_event('Kept plans, any seat, limited', per_customer_limit => 50,
                              event_id => 4);
SELECT ticketing.add_tickets(4, 1000);
-- Vacuumed and analyzed now, and not again behind the test's back: a VACUUM or ANALYZE
-- invalidates the kept plans, and the next call would plan them afresh.
ALTER TABLE ticketing.tickets SET (autovacuum_enabled = false, toast.autovacuum_enabled = false);
VACUUM ANALYZE ticketing.tickets;
SELECT pg_size_pretty(pg_relation_size('ticketing.tickets')) AS tickets_size;

-- A fresh backend; its first calls plan every statement under hostile settings.
\c regress_kept_plans
-- blocks_per_call(sql, calls): runs `sql` (with $1 = 1 .. calls) in this transaction and
-- answers the blocks of ticketing.tickets read per call. Made first: a temporary schema
-- made later changes the search path, and the plans would be made again.
CREATE FUNCTION pg_temp.blocks_per_call(sql text, calls int) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
    before bigint := pg_stat_get_xact_blocks_fetched('ticketing.tickets'::regclass);
    answer text;
BEGIN
    FOR i IN 1 .. calls LOOP
        EXECUTE sql INTO answer USING i;
        IF answer NOT IN ('claimed', 'hold_placed', 'released') THEN
            RAISE EXCEPTION '% (call %) answered %', sql, i, answer;
        END IF;
    END LOOP;
    RETURN (pg_stat_get_xact_blocks_fetched('ticketing.tickets'::regclass) - before)::numeric
           / calls;
END $$;

BEGIN;
SET LOCAL enable_indexscan = off;
SET LOCAL enable_indexonlyscan = off;
SET LOCAL enable_bitmapscan = off;
SET LOCAL random_page_cost = 1000000;
SET LOCAL enable_sort = off;
SELECT outcome FROM ticketing.claim_ticket(1, 1, 'first');
SELECT outcome FROM ticketing.claim_ticket(1, 2, 'first', wait => 'skip');
SELECT outcome FROM ticketing.claim_ticket(1, 1, 'second');
SELECT outcome FROM ticketing.hold_ticket(1, 3, 'first');
SELECT outcome FROM ticketing.confirm_hold(1, 3, 'first');
SELECT outcome FROM ticketing.release_ticket(1, 3, 'first');
SELECT outcome FROM ticketing.claim_tickets(1, ARRAY[4, 5], 'first');
SELECT outcome, cardinality(ticket_ids) AS tickets FROM ticketing.claim_any(3, 'first', 2);
SELECT outcome, cardinality(ticket_ids) AS tickets FROM ticketing.claim_any(3, 'first');
SELECT outcome FROM ticketing.claim_ticket(2, 1, 'first');
SELECT outcome, cardinality(ticket_ids) AS tickets FROM ticketing.claim_any(4, 'first', 2);
SELECT request_no, outcome FROM ticketing.claim_batch(1, ARRAY[ROW(6, 'first', NULL),
    ROW(7, 'first', NULL), ROW(6, 'second', NULL)]::ticketing.claim_request[]);
SELECT request_no, outcome FROM ticketing.claim_batch(3, ARRAY[ROW(NULL, 'first', NULL),
    ROW(NULL, 'second', NULL)]::ticketing.claim_request[]);
SELECT request_no, outcome FROM ticketing.claim_batch(2, ARRAY[ROW(2, 'first', NULL),
    ROW(2, 'second', NULL)]::ticketing.claim_request[]);
SELECT request_no, outcome FROM ticketing.claim_batch(4, ARRAY[ROW(NULL, 'first', NULL),
    ROW(NULL, 'second', NULL)]::ticketing.claim_request[]);
-- The session's own settings are as it set them.
SELECT current_setting('enable_indexscan') AS enable_indexscan,
       current_setting('random_page_cost') AS random_page_cost,
       current_setting('enable_sort') AS enable_sort;
COMMIT;
RESET ALL;

-- A sequential scan reads every block of the event (over a thousand) on every call; an
-- index probe a few (a change writes a new row version, on another page when the old
-- one's is full). (A batch that names a ticket twice sells it once: its other request
-- answers already_sold.)
BEGIN;
SELECT pg_temp.blocks_per_call($$SELECT outcome FROM ticketing.claim_ticket(1, 1000 + $1, 'c' || $1)$$, 50) < 60 AS claim_ticket,
       pg_temp.blocks_per_call($$SELECT outcome FROM ticketing.claim_ticket(1, 2000 + $1, 'c' || $1, wait => 'skip')$$, 50) < 60 AS claim_ticket_skip,
       pg_temp.blocks_per_call($$SELECT outcome FROM ticketing.hold_ticket(1, 3000 + $1, 'h' || $1)$$, 50) < 60 AS hold_ticket,
       pg_temp.blocks_per_call($$SELECT outcome FROM ticketing.confirm_hold(1, 3000 + $1, 'h' || $1)$$, 50) < 60 AS confirm_hold,
       pg_temp.blocks_per_call($$SELECT outcome FROM ticketing.release_ticket(1, 3000 + $1, 'h' || $1)$$, 50) < 60 AS release_ticket,
       pg_temp.blocks_per_call($$SELECT outcome FROM ticketing.claim_tickets(1, ARRAY[4000 + $1, 5000 + $1], 'o' || $1)$$, 50) < 60 AS claim_tickets,
       pg_temp.blocks_per_call($$SELECT outcome FROM ticketing.claim_any(3, 'a' || $1, 2)$$, 50) < 60 AS claim_any,
       pg_temp.blocks_per_call($$SELECT outcome FROM ticketing.claim_any(3, 'b' || $1)$$, 50) < 60 AS claim_any_one,
       pg_temp.blocks_per_call($$SELECT outcome FROM ticketing.claim_ticket(2, 100 + $1, 'l' || $1)$$, 50) < 60 AS limited_claim,
       pg_temp.blocks_per_call($$SELECT outcome FROM ticketing.claim_any(4, 'm' || $1, 2)$$, 50) < 60 AS limited_claim_any,
       pg_temp.blocks_per_call($$SELECT min(outcome) FROM ticketing.claim_batch(1, ARRAY[ROW(6000 + $1, 'd' || $1, NULL), ROW(7000 + $1, 'd' || $1, NULL), ROW(6000 + $1, 'e' || $1, NULL)]::ticketing.claim_request[]) WHERE outcome <> 'already_sold'$$, 50) < 60 AS claim_batch,
       pg_temp.blocks_per_call($$SELECT min(outcome) FROM ticketing.claim_batch(3, ARRAY[ROW(NULL, 'd' || $1, NULL), ROW(NULL, 'e' || $1, NULL)]::ticketing.claim_request[])$$, 50) < 60 AS claim_batch_any,
       pg_temp.blocks_per_call($$SELECT min(outcome) FROM ticketing.claim_batch(2, ARRAY[ROW(500 + $1, 'n' || $1, NULL), ROW(500 + $1, 'o' || $1, NULL)]::ticketing.claim_request[]) WHERE outcome <> 'already_sold'$$, 50) < 60 AS limited_claim_batch,
       pg_temp.blocks_per_call($$SELECT min(outcome) FROM ticketing.claim_batch(4, ARRAY[ROW(NULL, 'n' || $1, NULL), ROW(NULL, 'o' || $1, NULL)]::ticketing.claim_request[])$$, 50) < 60 AS limited_claim_batch_any;
COMMIT;
SELECT count(*) AS sold FROM ticketing.tickets WHERE status = 'sold';
SELECT * FROM ticketing.verify();

-- Quota stripes: a small table that every quota-capped sale writes. A backend keeps its
-- plan for taking a unit from its first such sale, when an event's stripes fill a page
-- or two and a sequential scan looks cheapest; such a plan would then read every page
-- the stripes have spread over since, on every take. Here the stripes of other quotas
-- are added after the first sale (hundreds of pages, with no ANALYZE to make the backend
-- plan again): a take still reads a few blocks of the table.
SELECT ticketing.create_event('Kept plans, quota', event_id => 5);
SELECT ticketing.add_tickets(5, 1000, category => 'A');
SELECT ticketing.create_quota(5, 'Q', 1000, ARRAY['A']) > 0 AS quota_made;
ALTER TABLE ticketing.quota_stripes SET (autovacuum_enabled = false);
VACUUM ANALYZE ticketing.quota_stripes;
\c regress_kept_plans
SELECT outcome FROM ticketing.claim_any(5, 'q0', category => 'A');
SELECT ticketing.create_event('Kept plans, many stripes', event_id => 6);
SELECT ticketing.add_tickets(6, 8, category => 'B');
SELECT count(ticketing.create_quota(6, 'S' || q, 10, ARRAY['B'], stripes => 1024)) AS quotas
  FROM generate_series(1, 8) AS q;
SELECT pg_relation_size('ticketing.quota_stripes') / 8192 > 100 AS stripes_over_100_pages;
BEGIN;
SELECT pg_stat_get_xact_blocks_fetched('ticketing.quota_stripes'::regclass) AS stripe_blocks \gset
SELECT count(*) AS claimed
  FROM generate_series(1, 50) AS g, LATERAL ticketing.claim_any(5, 'q' || g, category => 'A') AS c
 WHERE c.outcome = 'claimed';
SELECT (pg_stat_get_xact_blocks_fetched('ticketing.quota_stripes'::regclass) - :stripe_blocks)
       / 50 < 10 AS few_stripe_blocks_per_sale;
COMMIT;
SELECT * FROM ticketing.verify();

\c contrib_regression
DROP DATABASE regress_kept_plans;
