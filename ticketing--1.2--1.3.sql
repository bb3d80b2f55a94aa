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

