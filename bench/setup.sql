-- Benchmark schema: the extension, and the hand-written code the strategies call.
-- Loaded once per throwaway cluster by bench/inside.sh. Every hand-written strategy
-- records each sale it believes it made the same way the extension does: one row in
-- ticketing.audit_log (to_status 'sold', customer = the buyer). The integrity check
-- compares those rows with the tickets table.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE EXTENSION IF NOT EXISTS ticketing;
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;

-- Which event each workload uses, and its size.
CREATE TABLE bench.events (
    workload text PRIMARY KEY,
    event_id bigint NOT NULL,
    tickets  integer NOT NULL
);

-- The quotas of a workload's event (issue 18), made again by every reset (a reset puts
-- the tickets back with a plain UPDATE, which the quotas' units do not follow).
CREATE TABLE bench.quotas (
    workload   text NOT NULL REFERENCES bench.events,
    name       text NOT NULL,
    size       integer NOT NULL,
    categories text[] NOT NULL,
    stripes    integer NOT NULL DEFAULT 64, -- create_quota's stripes (its default: 64)
    PRIMARY KEY (workload, name)
);

-- `plpgsql`: the same steps as ticketing.claim_ticket(), written by hand: a lock-free
-- peek answers "no" cheaply; otherwise lock the row, decide again on the locked
-- version, update it and append the audit row.
CREATE FUNCTION bench.plpgsql_claim(p_event bigint, p_ticket bigint, p_customer text)
RETURNS text
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    v_status text;
    v_owner  text;
    v_expiry timestamptz;
BEGIN
    SELECT t.status, t.owner, t.hold_expires_at INTO v_status, v_owner, v_expiry
      FROM ticketing.tickets t
     WHERE t.event_id = p_event AND t.ticket_id = p_ticket;
    IF NOT FOUND THEN
        RETURN 'not_found';
    END IF;
    IF v_status = 'sold' THEN
        RETURN CASE WHEN v_owner = p_customer THEN 'already_owned' ELSE 'already_sold' END;
    END IF;
    IF v_status = 'held' AND v_owner IS DISTINCT FROM p_customer AND v_expiry > now() THEN
        RETURN 'held';
    END IF;

    SELECT t.status, t.owner, t.hold_expires_at INTO v_status, v_owner, v_expiry
      FROM ticketing.tickets t
     WHERE t.event_id = p_event AND t.ticket_id = p_ticket
       FOR UPDATE;
    IF v_status = 'sold' THEN
        RETURN CASE WHEN v_owner = p_customer THEN 'already_owned' ELSE 'already_sold' END;
    END IF;
    IF v_status = 'held' AND v_owner IS DISTINCT FROM p_customer AND v_expiry > now() THEN
        RETURN 'held';
    END IF;

    UPDATE ticketing.tickets t
       SET status = 'sold', owner = p_customer, hold_expires_at = NULL, updated_at = now()
     WHERE t.event_id = p_event AND t.ticket_id = p_ticket;
    INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, at)
    VALUES (p_event, p_ticket, v_status, 'sold', p_customer, now());
    RETURN 'claimed';
END
$$;

-- `ga_skip_locked`: general admission by hand: take the first available ticket that no
-- one else has locked. 'sold_out' can also mean "every remaining ticket is locked by
-- someone right now" (SKIP LOCKED cannot tell the two apart).
CREATE FUNCTION bench.ga_skip_locked(p_event bigint, p_customer text)
RETURNS text
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    v_ticket bigint;
BEGIN
    SELECT t.ticket_id INTO v_ticket
      FROM ticketing.tickets t
     WHERE t.event_id = p_event AND t.status = 'available'
     ORDER BY t.ticket_id
     LIMIT 1
       FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN 'sold_out';
    END IF;
    UPDATE ticketing.tickets t
       SET status = 'sold', owner = p_customer, hold_expires_at = NULL, updated_at = now()
     WHERE t.event_id = p_event AND t.ticket_id = v_ticket;
    INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, at)
    VALUES (p_event, v_ticket, 'available', 'sold', p_customer, now());
    RETURN 'claimed';
END
$$;
