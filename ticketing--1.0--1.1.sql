-- ticketing 1.0 -> 1.1: general admission, multi-seat orders, expiring holds,
-- idempotent retries and per-customer limits.
\echo Use "ALTER EXTENSION ticketing UPDATE TO '1.1'" to load this file. \quit

-------------------------------------------------------------------------------
-- Access paths
-------------------------------------------------------------------------------

-- These three indexes name status and owner, so from 1.1 on a sale is no longer a HOT
-- update (1.0's fillfactor note): each sale adds entries to every index of tickets.
-- docs/performance.md measures that cost against what the indexes buy.
--
-- claim_any walks unsold tickets from a random start; sold tickets are not in this
-- index, so the walk stays short however much of the event is sold. Its lock-free walk
-- relies on this exact definition (src/backend/direct_reads.cpp checks it).
CREATE INDEX tickets_claimable_idx ON ticketing.tickets (event_id, ticket_id)
    WHERE status OPERATOR(pg_catalog.<>) 'sold';
-- What a customer owns in an event (per-customer limits, verify()).
CREATE INDEX tickets_owner_idx ON ticketing.tickets (event_id, owner)
    WHERE owner IS NOT NULL;
-- Holds to expire (expire_holds()).
CREATE INDEX tickets_hold_expiry_idx ON ticketing.tickets (hold_expires_at)
    WHERE status OPERATOR(pg_catalog.=) 'held';

-------------------------------------------------------------------------------
-- Tables
-------------------------------------------------------------------------------

-- One row per (event, customer) that ever claimed in an event with a limit. Claims of
-- one customer lock this row, so they count what each other committed.
CREATE TABLE ticketing.customer_slots (
    event_id   bigint NOT NULL,
    customer   text NOT NULL,
    touched_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (event_id, customer)
);

-- Idempotency keys, scoped per customer, with the request's fingerprint and the result
-- it got. Written in the same transaction as the change it records.
CREATE TABLE ticketing.idempotency_keys (
    customer        text NOT NULL,
    idempotency_key text NOT NULL,
    event_id        bigint NOT NULL,
    fingerprint     text NOT NULL,
    outcome         text,
    ticket_ids      bigint[],
    seats           text[],
    at              timestamptz,
    hold_expires_at timestamptz,
    remaining       bigint,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (customer, idempotency_key)
);
CREATE INDEX idempotency_keys_created_idx ON ticketing.idempotency_keys (created_at);

SELECT pg_catalog.pg_extension_config_dump('ticketing.customer_slots', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.idempotency_keys', '');

-------------------------------------------------------------------------------
-- Result types
-------------------------------------------------------------------------------

-- What a multi-ticket call answers. On success ticket_ids/seats are the customer's
-- tickets; when blocked, the tickets in the way; `remaining` is set when there were
-- not enough (insufficient, sold_out, busy).
CREATE TYPE ticketing.order_result AS (
    outcome         text,
    event_id        bigint,
    ticket_ids      bigint[],
    seats           text[],
    remaining       bigint,
    at              timestamptz,
    hold_expires_at timestamptz
);

-------------------------------------------------------------------------------
-- Calls (C++)
-------------------------------------------------------------------------------

-- claim_ticket and release_ticket gain an idempotency_key argument. The 1.0 functions
-- step aside under other names until their EXECUTE grants are copied to the new ones.
ALTER FUNCTION ticketing.claim_ticket(bigint, bigint, text, text)
    RENAME TO claim_ticket_1_0;
ALTER FUNCTION ticketing.release_ticket(bigint, bigint, text)
    RENAME TO release_ticket_1_0;

CREATE FUNCTION ticketing.claim_ticket(event_id bigint, ticket_id bigint, customer text,
                                       wait text DEFAULT 'wait',
                                       idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result
AS 'MODULE_PATHNAME', 'ticketing_claim_ticket'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

CREATE FUNCTION ticketing.release_ticket(event_id bigint, ticket_id bigint, customer text,
                                         idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result
AS 'MODULE_PATHNAME', 'ticketing_release_ticket'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

CREATE FUNCTION ticketing.hold_ticket(event_id bigint, ticket_id bigint, customer text,
                                      hold_for interval DEFAULT '10 minutes',
                                      wait text DEFAULT 'wait',
                                      idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result
AS 'MODULE_PATHNAME', 'ticketing_hold_ticket'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

CREATE FUNCTION ticketing.confirm_hold(event_id bigint, ticket_id bigint, customer text,
                                       idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result
AS 'MODULE_PATHNAME', 'ticketing_confirm_hold'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

CREATE FUNCTION ticketing.release_hold(event_id bigint, ticket_id bigint, customer text,
                                       idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result
AS 'MODULE_PATHNAME', 'ticketing_release_hold'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

CREATE FUNCTION ticketing.claim_tickets(event_id bigint, ticket_ids bigint[], customer text,
                                        wait text DEFAULT 'wait',
                                        hold_for interval DEFAULT NULL,
                                        idempotency_key text DEFAULT NULL)
RETURNS ticketing.order_result
AS 'MODULE_PATHNAME', 'ticketing_claim_tickets'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

CREATE FUNCTION ticketing.claim_any(event_id bigint, customer text,
                                    quantity integer DEFAULT 1,
                                    section text DEFAULT NULL,
                                    seat_prefix text DEFAULT NULL,
                                    adjacent boolean DEFAULT false,
                                    hold_for interval DEFAULT NULL,
                                    idempotency_key text DEFAULT NULL)
RETURNS ticketing.order_result
AS 'MODULE_PATHNAME', 'ticketing_claim_any'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

DO $$
DECLARE
    g record;
BEGIN
    FOR g IN
        SELECT CASE p.proname
                 WHEN 'claim_ticket_1_0'
                 THEN 'ticketing.claim_ticket(bigint, bigint, text, text, text)'
                 ELSE 'ticketing.release_ticket(bigint, bigint, text, text)' END AS target,
               a.grantee::regrole::text AS grantee, a.is_grantable
          FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
         WHERE p.oid OPERATOR(pg_catalog.=) ANY (ARRAY['ticketing.claim_ticket_1_0(bigint, bigint, text, text)'::regprocedure,
                         'ticketing.release_ticket_1_0(bigint, bigint, text)'::regprocedure])
           AND a.privilege_type OPERATOR(pg_catalog.=) 'EXECUTE' AND a.grantee OPERATOR(pg_catalog.<>) 0
           AND a.grantee OPERATOR(pg_catalog.<>) p.proowner
    LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO %s%s', g.target, g.grantee,
                       CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END
$$;
DROP FUNCTION ticketing.claim_ticket_1_0(bigint, bigint, text, text);
DROP FUNCTION ticketing.release_ticket_1_0(bigint, bigint, text);

-------------------------------------------------------------------------------
-- Housekeeping
-------------------------------------------------------------------------------

-- Returns lapsed holds to inventory, with an audit row each. Not needed for
-- correctness (every claim treats a lapsed hold as available); safe to run while claims
-- run: it skips rows that claims have locked.
CREATE FUNCTION ticketing.expire_holds(event_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    WITH lapsed AS (
        SELECT t.event_id, t.ticket_id, t.owner
          FROM ticketing.tickets t
         WHERE t.status = 'held' AND t.hold_expires_at <= pg_catalog.now()
           AND ($1 IS NULL OR t.event_id = $1)
           FOR UPDATE SKIP LOCKED
    ), returned AS (
        UPDATE ticketing.tickets t
           SET status = 'available', owner = NULL, hold_expires_at = NULL, updated_at = pg_catalog.now()
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

-- Forgets idempotency keys older than `older_than` (default: the
-- ticketing.idempotency_retention setting, 24 hours unless set).
CREATE FUNCTION ticketing.purge_idempotency_keys(older_than interval DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    WITH purged AS (
        DELETE FROM ticketing.idempotency_keys k
         WHERE k.created_at < pg_catalog.now() - coalesce(
                   $1,
                   (coalesce(nullif(pg_catalog.current_setting('ticketing.idempotency_retention', true), ''),
                             '24h'))::interval)
        RETURNING 1
    )
    SELECT pg_catalog.count(*) FROM purged
$$;

-------------------------------------------------------------------------------
-- verify(): 1.0's invariants plus per-customer limits
-------------------------------------------------------------------------------

-- The per-ticket checks of 1.0 keep their body under a new name.
ALTER FUNCTION ticketing.verify(bigint) RENAME TO verify_tickets;

CREATE FUNCTION ticketing.verify(event_id bigint DEFAULT NULL)
RETURNS SETOF ticketing.violation
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM ticketing.verify_tickets($1)
    UNION ALL
    SELECT e.event_id, NULL::bigint, 'limit_exceeded',
           format('a customer owns %s tickets; the limit is %s', o.owned, e.per_customer_limit)
      FROM ticketing.events e
      JOIN LATERAL (
            SELECT t.owner, pg_catalog.count(*) AS owned
              FROM ticketing.tickets t
             WHERE t.event_id = e.event_id AND t.owner IS NOT NULL
               AND (t.status = 'sold' OR (t.status = 'held' AND t.hold_expires_at > pg_catalog.now()))
             GROUP BY t.owner) o ON true
     WHERE e.per_customer_limit IS NOT NULL AND o.owned > e.per_customer_limit
       AND ($1 IS NULL OR e.event_id = $1)
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA ticketing FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA ticketing FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ticketing FROM PUBLIC;

-------------------------------------------------------------------------------
-- Batched claims
-------------------------------------------------------------------------------

-- One claim request: a given ticket, or any seat when ticket_id is NULL.
CREATE TYPE ticketing.claim_request AS (
    ticket_id       bigint,
    customer        text,
    idempotency_key text
);

CREATE TYPE ticketing.batch_result AS (
    request_no integer,
    outcome    text,
    ticket_id  bigint,
    seat       text,
    at         timestamptz
);

-- Many independent claims in one call and one transaction; one answer per request, in
-- request order. It never waits for a row lock (a ticket another transaction has
-- locked answers busy), so one request's conflict never affects another's.
CREATE FUNCTION ticketing.claim_batch(event_id bigint, requests ticketing.claim_request[])
RETURNS SETOF ticketing.batch_result
AS 'MODULE_PATHNAME', 'ticketing_claim_batch'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER
ROWS 100;

REVOKE ALL ON FUNCTION ticketing.claim_batch(bigint, ticketing.claim_request[]) FROM PUBLIC;

-------------------------------------------------------------------------------
-- Metrics
-------------------------------------------------------------------------------

-- In-memory counters, no table writes. With shared_preload_libraries = 'ticketing'
-- they cover the whole cluster (scope 'cluster'); without it, this session's calls
-- (scope 'session'). event_id NULL is the total over all events.
CREATE FUNCTION ticketing.read_stats(
    OUT event_id      bigint,
    OUT scope         text,
    OUT attempts      bigint,
    OUT claimed       bigint,
    OUT already_owned bigint,
    OUT already_sold  bigint,
    OUT held          bigint,
    OUT not_found     bigint,
    OUT busy          bigint,
    OUT released      bigint,
    OUT not_owner     bigint,
    OUT hold_placed   bigint,
    OUT hold_expired  bigint,
    OUT not_held      bigint,
    OUT limit_reached bigint,
    OUT insufficient  bigint,
    OUT sold_out      bigint,
    OUT errors        bigint,
    OUT lock_waits    bigint,
    OUT lock_wait_ms  double precision,
    OUT skips         bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'ticketing_read_stats'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE VIEW ticketing.stats AS SELECT * FROM ticketing.read_stats();

CREATE FUNCTION ticketing.reset_stats()
RETURNS void
AS 'MODULE_PATHNAME', 'ticketing_reset_stats'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

REVOKE ALL ON ticketing.stats FROM PUBLIC;
REVOKE ALL ON FUNCTION ticketing.read_stats() FROM PUBLIC;
REVOKE ALL ON FUNCTION ticketing.reset_stats() FROM PUBLIC;
