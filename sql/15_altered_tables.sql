--
-- 15_altered_tables: a table of the extension altered by hand into a shape the C++
-- code cannot read or write (a column retyped or dropped, a status the extension does
-- not know, a table replaced) gets one clear error on every path: TK002 with a hint
-- that says what to restore. Never a crash, an internal error or a wrong write.
-- Each alteration runs in a transaction that is rolled back.
--
\set VERBOSITY terse
\i sql/include/try.sql

SELECT ticketing.create_event('Altered tables', event_id => 1501);
SELECT ticketing.add_tickets(1501, ARRAY['A-1-1', 'A-1-2', 'A-1-3', 'A-1-4', 'A-1-5', 'A-1-6']);
SELECT outcome FROM ticketing.claim_ticket(1501, 1, 'alice');
SELECT outcome FROM ticketing.hold_ticket(1501, 2, 'alice');

-- Every call of the API, as text for try().
CREATE TEMP TABLE calls (n int, stmt text);
INSERT INTO calls VALUES
    (1, $$SELECT * FROM ticketing.claim_ticket(1501, 3, 'bob')$$),
    (2, $$SELECT * FROM ticketing.claim_ticket(1501, 1, 'bob')$$),
    (3, $$SELECT * FROM ticketing.release_ticket(1501, 1, 'alice')$$),
    (4, $$SELECT * FROM ticketing.hold_ticket(1501, 3, 'bob')$$),
    (5, $$SELECT * FROM ticketing.confirm_hold(1501, 2, 'alice')$$),
    (6, $$SELECT * FROM ticketing.release_hold(1501, 2, 'alice')$$),
    (7, $$SELECT * FROM ticketing.claim_tickets(1501, ARRAY[3, 4], 'bob')$$),
    (8, $$SELECT * FROM ticketing.claim_any(1501, 'bob')$$),
    (9, $$SELECT * FROM ticketing.claim_any(1501, 'bob', 2, adjacent => true)$$),
    (10, $$SELECT * FROM ticketing.claim_batch(1501, ARRAY[ROW(3, 'bob', NULL), ROW(NULL, 'carol', NULL)]::ticketing.claim_request[])$$),
    (11, $$SELECT * FROM ticketing.claim_ticket(1501, 3, 'bob', idempotency_key => 'k-1')$$);

-- try_all(ALTERATION): runs ALTERATION, then every call, in one transaction that is
-- rolled back; one row per call with its SQLSTATE. Each call's own changes are rolled
-- back too (its subtransaction ends with a sentinel error), so the calls do not depend
-- on each other.
CREATE FUNCTION pg_temp.try_all(alteration text)
RETURNS TABLE (n int, state text, message text)
LANGUAGE plpgsql AS $$
DECLARE
    c record;
BEGIN
    EXECUTE alteration;
    FOR c IN SELECT * FROM calls ORDER BY calls.n LOOP
        n := c.n;
        BEGIN
            EXECUTE c.stmt;
            RAISE EXCEPTION 'undo' USING ERRCODE = 'TKUND';
        EXCEPTION WHEN OTHERS THEN
            state := CASE WHEN SQLSTATE = 'TKUND' THEN '00000' ELSE SQLSTATE END;
            message := CASE WHEN SQLSTATE = 'TKUND' THEN NULL ELSE SQLERRM END;
        END;
        RETURN NEXT;
    END LOOP;
END $$;

-- Retyped columns: seat to bigint (the crash of the past), owner to bigint (a memory
-- address stored as the owner), audit_log.customer to bigint.
BEGIN;
SELECT * FROM pg_temp.try_all($$
    ALTER TABLE ticketing.tickets DROP CONSTRAINT tickets_seat_check;
    ALTER TABLE ticketing.tickets ALTER COLUMN seat TYPE bigint USING ticket_id$$);
ROLLBACK;
BEGIN;
SELECT DISTINCT state, message FROM pg_temp.try_all($$
    ALTER TABLE ticketing.tickets ALTER COLUMN owner TYPE bigint USING NULL$$);
ROLLBACK;
BEGIN;
SELECT DISTINCT state, message FROM pg_temp.try_all($$
    ALTER TABLE ticketing.audit_log ALTER COLUMN customer TYPE bigint USING 0$$);
ROLLBACK;
BEGIN;
SELECT DISTINCT state, message FROM pg_temp.try_all($$
    ALTER TABLE ticketing.events ALTER COLUMN per_customer_limit TYPE bigint$$);
ROLLBACK;
BEGIN;
SELECT DISTINCT state, message FROM pg_temp.try_all($$
    ALTER TABLE ticketing.idempotency_keys ALTER COLUMN ticket_ids TYPE text[]$$)
 WHERE n = 11;
ROLLBACK;

-- A dropped column.
BEGIN;
SELECT DISTINCT state, message FROM pg_temp.try_all($$
    ALTER TABLE ticketing.tickets DROP COLUMN hold_expires_at CASCADE$$);
ROLLBACK;

-- A table replaced by a view of the same name.
BEGIN;
SELECT DISTINCT state, message FROM pg_temp.try_all($$
    ALTER TABLE ticketing.audit_log RENAME TO audit_log_old;
    CREATE VIEW ticketing.audit_log AS SELECT * FROM ticketing.audit_log_old$$);
ROLLBACK;

-- A status the extension does not know, once its CHECK constraint is gone: a call
-- that meets it says so; calls on other tickets go on.
BEGIN;
SELECT n, state, regexp_replace(message, 'ticket \d+', 'ticket N') AS message -- claim_any starts anywhere
  FROM pg_temp.try_all($$
    ALTER TABLE ticketing.tickets DROP CONSTRAINT tickets_status_check;
    UPDATE ticketing.tickets SET status = 'reserved' WHERE event_id = 1501 AND ticket_id >= 3$$);
ROLLBACK;

-- Compatible changes are fine: a text column as varchar, a domain over text.
BEGIN;
CREATE DOMAIN public.customer_name AS varchar(100);
SELECT DISTINCT state, message FROM pg_temp.try_all($$
    ALTER TABLE ticketing.tickets ALTER COLUMN owner TYPE public.customer_name;
    ALTER TABLE ticketing.audit_log ALTER COLUMN customer TYPE varchar(200)$$);
ROLLBACK;

-- The hint says what to restore.
\set VERBOSITY default
BEGIN;
ALTER TABLE ticketing.tickets ALTER COLUMN owner TYPE bigint USING NULL;
SELECT outcome FROM ticketing.claim_ticket(1501, 3, 'bob');
ROLLBACK;
\set VERBOSITY terse

-- After every rollback the tables are as the extension made them, and nothing was
-- written by the calls above.
SELECT ticket_id, status, owner FROM ticketing.tickets WHERE event_id = 1501 ORDER BY ticket_id;
SELECT count(*) AS audit_rows FROM ticketing.audit_log WHERE event_id = 1501;
SELECT outcome FROM ticketing.claim_ticket(1501, 3, 'bob');
SELECT * FROM ticketing.verify(1501);
