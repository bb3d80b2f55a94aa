--
-- 40_admin_input: administrative calls and their input, found by a review (each failed
-- on e8a6832):
-- - shard_of(event_id, shard_count) answered any shard_count: 0, -1, 3 or 2048 gave a
--   shard no cluster has, -2147483648 an integer overflow (22003).
--
\set VERBOSITY terse

-- A call's error: its SQLSTATE, and its message when short (otherwise its length).
CREATE FUNCTION pg_temp.try(q text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    state text;
    message text;
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
    RETURN state || ': ' || CASE WHEN pg_catalog.octet_length(message) <= 200 THEN message
                                 ELSE pg_catalog.format('<a message of %s bytes>',
                                                        pg_catalog.octet_length(message)) END;
END
$$;

-------------------------------------------------------------------------------
-- shard_of(event_id, shard_count): shard_count as set_shard() takes it.
-------------------------------------------------------------------------------
SELECT n AS shard_count, pg_temp.try(pg_catalog.format('SELECT ticketing.shard_of(42, %s)', n)) AS result
  FROM pg_catalog.unnest(ARRAY[0, -1, 3, 6, 1023, 2048, 2147483647, -2147483648]) AS n;
-- The hint says what to pass.
\set VERBOSITY default
SELECT ticketing.shard_of(42, 3);
\set VERBOSITY terse
-- Every power of 2 from 1 to 1024 is taken, and answers PL/Proxy's partition.
SELECT pg_catalog.count(*) AS calls,
       pg_catalog.count(*) FILTER (WHERE ticketing.shard_of(e, 1 << k)
                                         = (pg_catalog.hashint8(e) & ((1 << k) - 1))) AS agree
  FROM pg_catalog.generate_series(-50, 50) AS e, pg_catalog.generate_series(0, 10) AS k;
-- NULL for a NULL argument, as before (17_shard_identity relies on it).
SELECT ticketing.shard_of(NULL, 4) IS NULL AS null_event, ticketing.shard_of(42, NULL) IS NULL AS null_count;
SELECT p.provolatile AS volatility, p.proparallel AS parallel, p.proisstrict AS strict
  FROM pg_catalog.pg_proc p WHERE p.oid = 'ticketing.shard_of(bigint,integer)'::pg_catalog.regprocedure;
