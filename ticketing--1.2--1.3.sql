-- ticketing 1.2 -> 1.3: what the review of every documented contract found
-- (docs/design.md, "Concurrency contracts"); most of it is in the library, which serves
-- a 1.2 schema too until this script runs.
\echo Use "ALTER EXTENSION ticketing UPDATE TO '1.3'" to load this file. \quit

-- add_tickets refuses labels longer than 200 bytes (22023), where 1.2 let the index
-- refuse them (54000, "index row requires ... bytes").
CREATE OR REPLACE FUNCTION ticketing.add_tickets(event_id bigint, quantity integer,
                                      seat_prefix text DEFAULT 'GA-')
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    last_id bigint;
BEGIN
    IF quantity IS NULL OR seat_prefix IS NULL THEN
        RAISE EXCEPTION 'quantity and seat_prefix must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF quantity <= 0 OR quantity > 10000000 THEN
        RAISE EXCEPTION 'quantity must be between 1 and 10000000, got %', quantity
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF pg_catalog.octet_length(seat_prefix) > 180 THEN
        RAISE EXCEPTION 'seat_prefix must be at most 180 bytes long, got %',
                        pg_catalog.octet_length(seat_prefix)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Seat labels are the prefix followed by the ticket id, at most 200 bytes.';
    END IF;
    last_id := ticketing.lock_event_for_load(event_id);
    INSERT INTO ticketing.tickets (event_id, ticket_id, seat)
    SELECT add_tickets.event_id, n, seat_prefix || n
    FROM pg_catalog.generate_series(last_id + 1, last_id + quantity) AS n;
    RETURN quantity;
END
$$;

CREATE OR REPLACE FUNCTION ticketing.add_tickets(event_id bigint, seats text[])
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    last_id bigint;
BEGIN
    IF seats IS NULL OR pg_catalog.array_position(seats, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'seats must not be NULL or contain NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF pg_catalog.cardinality(seats) = 0 OR pg_catalog.cardinality(seats) > 10000000 THEN
        RAISE EXCEPTION 'seats must hold between 1 and 10000000 labels, got %',
                        pg_catalog.cardinality(seats)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF pg_catalog.array_position(seats, '') IS NOT NULL THEN
        RAISE EXCEPTION 'seat labels must not be empty'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.unnest(seats) AS s(seat)
                WHERE pg_catalog.octet_length(s.seat) > 200) THEN
        RAISE EXCEPTION 'seat labels must be at most 200 bytes long'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    last_id := ticketing.lock_event_for_load(event_id);
    INSERT INTO ticketing.tickets (event_id, ticket_id, seat)
    SELECT add_tickets.event_id, last_id + s.n, s.seat
    FROM pg_catalog.unnest(seats) WITH ORDINALITY AS s(seat, n);
    RETURN pg_catalog.cardinality(seats);
END
$$;


-- Returns lapsed holds to inventory, with an audit row each. Not needed for
-- correctness (every claim treats a lapsed hold as available); safe to run while claims
-- run: it skips rows that claims have locked. FOR NO KEY UPDATE, the lock its UPDATE
-- takes anyway: a foreign key check on a table that references tickets does not stop it.
CREATE OR REPLACE FUNCTION ticketing.expire_holds(event_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    WITH lapsed AS (
        SELECT t.event_id, t.ticket_id, t.owner
          FROM ticketing.tickets t
         WHERE t.status = 'held' AND t.hold_expires_at <= pg_catalog.now()
           AND ($1 IS NULL OR t.event_id = $1)
           FOR NO KEY UPDATE SKIP LOCKED
    ), returned AS (
        UPDATE ticketing.tickets t
           SET status = 'available', owner = NULL, hold_expires_at = NULL,
               updated_at = pg_catalog.now()
          FROM lapsed l
         WHERE t.event_id = l.event_id AND t.ticket_id = l.ticket_id
        RETURNING t.event_id, t.ticket_id, l.owner, t.updated_at
    ), audited AS (
        INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, at)
        SELECT r.event_id, r.ticket_id, 'held', 'available', r.owner, r.updated_at FROM returned r
        RETURNING 1
    )
    SELECT pg_catalog.count(*) FROM audited
$$;


-------------------------------------------------------------------------------
-- The live availability feed (issue 22; docs/live-feed.md). This section ends the
-- script: ticketing--1.3.sql and ticketing--1.2--1.3.sql carry it word for word.
--
-- changes_since(event, after_audit_id) hands out an event's audit rows in id order, but
-- only rows below the first id a running transaction may still commit: audit ids are
-- drawn by next_audit_id(), which first publishes the transaction's floor (the sequence's
-- value before its first draw) as a lock, so a listener that goes on from the last id it
-- saw never passes over a row committed later with a smaller id. A row trigger records
-- which events a transaction changed; with shared_preload_libraries = 'ticketing' a
-- notifier announces them after the commit, at most once per ticketing.feed_interval, on
-- channel ticketing_feed_<event_id> with payload {"event_id":E,"audit_id":H}.
-------------------------------------------------------------------------------

-- One event's changes in id order.
CREATE INDEX audit_log_feed_idx ON ticketing.audit_log (event_id, audit_id);

-- nextval(sequence), after publishing the transaction's floor. A role that inserts audit
-- rows by hand needs EXECUTE on it (and USAGE on the sequence, as before).
CREATE FUNCTION ticketing.next_audit_id(sequence regclass)
RETURNS bigint
AS 'MODULE_PATHNAME', 'ticketing_next_audit_id'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

ALTER TABLE ticketing.audit_log ALTER COLUMN audit_id
    SET DEFAULT ticketing.next_audit_id('ticketing.audit_id_seq'::pg_catalog.regclass);

CREATE FUNCTION ticketing.feed_capture()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ticketing_feed_capture'
LANGUAGE C VOLATILE;

CREATE TRIGGER audit_log_feed_capture AFTER INSERT ON ticketing.audit_log
    FOR EACH ROW EXECUTE FUNCTION ticketing.feed_capture();
-- Also in sessions with session_replication_role = replica (rows a subscription applies).
ALTER TABLE ticketing.audit_log ENABLE ALWAYS TRIGGER audit_log_feed_capture;

-- An event's changes after after_audit_id, in audit id order, at most max_rows: the
-- ticket, its seat, its new status and when; for a hold still in place, when it ends.
-- Never the customer. Call again from the last audit_id returned.
CREATE FUNCTION ticketing.changes_since(event_id bigint, after_audit_id bigint,
                                        max_rows integer DEFAULT 1000)
RETURNS TABLE (audit_id bigint, ticket_id bigint, seat text, status text, at timestamptz,
               hold_expires_at timestamptz)
AS 'MODULE_PATHNAME', 'ticketing_changes_since'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER
ROWS 100;

-- Every ticket of the event as of through_audit_id (the same on every row): the state a
-- listener starts from before changes_since(event_id, through_audit_id).
CREATE FUNCTION ticketing.feed_snapshot(event_id bigint)
RETURNS TABLE (through_audit_id bigint, ticket_id bigint, seat text, status text,
               hold_expires_at timestamptz)
AS 'MODULE_PATHNAME', 'ticketing_feed_snapshot'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER
ROWS 1000;

-- Whether committed changes are announced (the library is preloaded and
-- ticketing.feed_interval is not 0); if not, poll changes_since.
CREATE FUNCTION ticketing.feed_notifications_on()
RETURNS boolean
AS 'MODULE_PATHNAME', 'ticketing_feed_notifications_on'
LANGUAGE C VOLATILE PARALLEL SAFE;

REVOKE ALL ON FUNCTION ticketing.next_audit_id(regclass), ticketing.feed_capture(),
                       ticketing.changes_since(bigint, bigint, integer),
                       ticketing.feed_snapshot(bigint), ticketing.feed_notifications_on()
    FROM PUBLIC;
