--
-- 16_fresh_event: a flash sale of 200,000 tickets that starts right after add_tickets,
-- before autovacuum has analyzed the table (issue 16, finding 7). The statements are
-- planned once per backend and kept, so their plans must not depend on statistics: a
-- claim_any on a never-analyzed event reads about as many blocks as on an analyzed one,
-- never the whole event (a plan that sorts or bitmaps every unsold ticket reads all of
-- them on every call).
--
-- The count is of blocks of ticketing.tickets this transaction read (pg_stat), so it
-- does not depend on the machine's speed.
--
\set VERBOSITY terse
CREATE DATABASE regress_fresh_event;
\c regress_fresh_event
SET client_min_messages = warning;
CREATE EXTENSION ticketing;
RESET client_min_messages;
-- Autovacuum must not analyze the table behind the test's back.
ALTER TABLE ticketing.tickets SET (autovacuum_enabled = false, toast.autovacuum_enabled = false);
SELECT ticketing.create_event('Fresh', event_id => 1);
SELECT ticketing.add_tickets(1, 200000);
SELECT c.reltuples AS tickets_reltuples,
       (SELECT count(*) FROM pg_stats s
         WHERE s.schemaname = 'ticketing' AND s.tablename = 'tickets') AS column_statistics
  FROM pg_class c WHERE c.oid = 'ticketing.tickets'::regclass;

-- blocks_per_claim(N): N claim_any calls of 2 tickets each in one transaction, and the
-- blocks of ticketing.tickets read per call.
CREATE FUNCTION pg_temp.blocks_per_claim(calls int) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
    before bigint := pg_stat_get_xact_blocks_fetched('ticketing.tickets'::regclass);
    answer text;
BEGIN
    FOR i IN 1 .. calls LOOP
        SELECT outcome INTO answer FROM ticketing.claim_any(1, 'buyer-' || i, 2);
        IF answer <> 'claimed' THEN
            RAISE EXCEPTION 'claim % answered %', i, answer;
        END IF;
    END LOOP;
    RETURN (pg_stat_get_xact_blocks_fetched('ticketing.tickets'::regclass) - before)::numeric
           / calls;
END $$;

BEGIN;
SELECT pg_temp.blocks_per_claim(200) AS never_analyzed \gset
COMMIT;
-- ANALYZE invalidates the kept plans; the next calls plan again with statistics.
ANALYZE ticketing.tickets;
BEGIN;
SELECT pg_temp.blocks_per_claim(200) AS analyzed \gset
COMMIT;
-- The event has ~1,600 blocks of tickets (a flash sale's size: a plan that sorts or
-- bitmaps the unsold tickets reads them all on every call); a claim reads a handful
-- either way.
SELECT :never_analyzed < 40 AS never_analyzed_reads_a_few_blocks,
       :never_analyzed <= 2 * :analyzed + 10 AS within_twice_the_analyzed;
SELECT count(*) AS sold FROM ticketing.tickets WHERE status = 'sold';
SELECT * FROM ticketing.verify();

\c contrib_regression
DROP DATABASE regress_fresh_event;
