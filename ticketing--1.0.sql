-- ticketing 1.0: oversell-proof ticket claims inside the backend.
\echo Use "CREATE EXTENSION ticketing" to load this file. \quit

-------------------------------------------------------------------------------
-- The schema: the extension's own, or nothing
-------------------------------------------------------------------------------

-- CREATE EXTENSION creates the schema ticketing when it is missing, and would adopt one
-- that exists. One made by another role (other than a superuser), holding objects
-- already, or letting another role create objects in it could hold a function or
-- operator that a name in this script or in a sale's statements resolves to, run later
-- with the extension owner's rights: refused.
DO $$
DECLARE
    schema_owner name;
    owner_is_superuser boolean;
    objects bigint;
    creators text;
BEGIN
    SELECT r.rolname, r.rolsuper INTO schema_owner, owner_is_superuser
      FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
     WHERE n.nspname OPERATOR(pg_catalog.=) 'ticketing';
    IF NOT FOUND THEN
        RETURN; -- CREATE EXTENSION created it just now
    END IF;
    SELECT pg_catalog.count(*) INTO objects
      FROM pg_catalog.pg_depend d
     WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass
       AND d.refobjid OPERATOR(pg_catalog.=) 'ticketing'::pg_catalog.regnamespace
       AND d.classid OPERATOR(pg_catalog.<>) 'pg_catalog.pg_extension'::pg_catalog.regclass;
    SELECT pg_catalog.string_agg(CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                      ELSE a.grantee::pg_catalog.regrole::pg_catalog.text END, ', ')
      INTO creators
      FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a
     WHERE n.nspname OPERATOR(pg_catalog.=) 'ticketing'
       AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'
       AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner;
    -- A schema made by CREATE EXTENSION itself, by the role running it, or by a superuser
    -- (pg_restore recreates it under its old owner) is fine while it is empty and nobody
    -- else may create in it. Anything else could hold a function or operator that a name
    -- in this script or in a sale's statements resolves to, run with the extension
    -- owner's rights.
    IF schema_owner OPERATOR(pg_catalog.<>) CURRENT_USER AND NOT owner_is_superuser THEN
        RAISE EXCEPTION 'schema ticketing already exists and belongs to role %', schema_owner
            USING ERRCODE = 'invalid_schema_definition',
                  HINT = 'The extension creates its own schema: drop or rename the existing one '
                         'after checking what it holds, then run CREATE EXTENSION ticketing again.';
    END IF;
    IF objects OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION 'schema ticketing already exists and holds % objects', objects
            USING ERRCODE = 'invalid_schema_definition',
                  HINT = 'The extension creates its own schema: drop or rename the existing one '
                         'after checking what it holds, then run CREATE EXTENSION ticketing again.';
    END IF;
    IF creators IS NOT NULL THEN
        RAISE EXCEPTION 'schema ticketing already exists and lets % create objects in it', creators
            USING ERRCODE = 'invalid_schema_definition',
                  HINT = 'Revoke CREATE on schema ticketing from every role but its owner, or drop '
                         'the schema, then run CREATE EXTENSION ticketing again.';
    END IF;
END
$$;

-------------------------------------------------------------------------------
-- Tables
-------------------------------------------------------------------------------

CREATE SEQUENCE ticketing.event_id_seq;

CREATE TABLE ticketing.events (
    event_id           bigint PRIMARY KEY DEFAULT pg_catalog.nextval('ticketing.event_id_seq'::pg_catalog.regclass)
                       CHECK (event_id OPERATOR(pg_catalog.>) 0),
    name               text NOT NULL CHECK (name OPERATOR(pg_catalog.<>) ''),
    starts_at          timestamptz,
    per_customer_limit integer CHECK (per_customer_limit OPERATOR(pg_catalog.>) 0),
    created_at         timestamptz NOT NULL DEFAULT pg_catalog.now()
);
ALTER SEQUENCE ticketing.event_id_seq OWNED BY ticketing.events.event_id;

-- One row per sellable ticket. Ticket ids are numbered per event (1, 2, ...), so
-- (event_id, ticket_id) routes to the node that owns the event without a lookup.
-- fillfactor leaves room for HOT updates: a claim changes no indexed column.
CREATE TABLE ticketing.tickets (
    event_id        bigint NOT NULL REFERENCES ticketing.events,
    ticket_id       bigint NOT NULL CHECK (ticket_id OPERATOR(pg_catalog.>) 0),
    seat            text NOT NULL CHECK (seat OPERATOR(pg_catalog.<>) ''),
    status          text NOT NULL DEFAULT 'available'
                    CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['available', 'held', 'sold'])),
    owner           text,
    hold_expires_at timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (event_id, ticket_id),
    UNIQUE (event_id, seat)
) WITH (fillfactor = 85);

-- One row per state change. No foreign key: the log must be cheap to append to and
-- must outlive anything it describes.
CREATE SEQUENCE ticketing.audit_id_seq;

CREATE TABLE ticketing.audit_log (
    audit_id    bigint NOT NULL DEFAULT pg_catalog.nextval('ticketing.audit_id_seq'::pg_catalog.regclass),
    event_id    bigint NOT NULL,
    ticket_id   bigint NOT NULL,
    from_status text NOT NULL,
    to_status   text NOT NULL,
    customer    text NOT NULL,
    at          timestamptz NOT NULL DEFAULT pg_catalog.now(),
    txid        xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
    PRIMARY KEY (event_id, ticket_id, audit_id)
);
ALTER SEQUENCE ticketing.audit_id_seq OWNED BY ticketing.audit_log.audit_id;

-- pg_dump keeps the inventory and its history.
SELECT pg_catalog.pg_extension_config_dump('ticketing.events', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.event_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.tickets', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('ticketing.audit_id_seq', '');

-------------------------------------------------------------------------------
-- Result types
-------------------------------------------------------------------------------

-- What every single-ticket call answers. `outcome` is a value, not an error; another
-- customer's identity is never part of it.
CREATE TYPE ticketing.ticket_result AS (
    outcome         text,
    event_id        bigint,
    ticket_id       bigint,
    seat            text,
    owner_is_you    boolean,
    at              timestamptz,
    hold_expires_at timestamptz
);

CREATE TYPE ticketing.event_counts AS (
    event_id  bigint,
    total     bigint,
    available bigint,
    held      bigint,
    sold      bigint
);

CREATE TYPE ticketing.violation AS (
    event_id  bigint,
    ticket_id bigint,
    problem   text,
    detail    text
);

-------------------------------------------------------------------------------
-- Claims (C++). SECURITY DEFINER: an application role needs EXECUTE on these and USAGE
-- on the schema, never rights on the tables. Their statements qualify every name and
-- operator, so the caller's search_path cannot change what they do.
-------------------------------------------------------------------------------

CREATE FUNCTION ticketing.claim_ticket(event_id bigint, ticket_id bigint, customer text,
                                       wait text DEFAULT 'wait')
RETURNS ticketing.ticket_result
AS 'MODULE_PATHNAME', 'ticketing_claim_ticket'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

CREATE FUNCTION ticketing.release_ticket(event_id bigint, ticket_id bigint, customer text)
RETURNS ticketing.ticket_result
AS 'MODULE_PATHNAME', 'ticketing_release_ticket'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;

-------------------------------------------------------------------------------
-- Administration (run with the caller's rights)
-------------------------------------------------------------------------------

CREATE FUNCTION ticketing.create_event(name text, per_customer_limit integer DEFAULT NULL,
                                       starts_at timestamptz DEFAULT NULL,
                                       event_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    new_id bigint;
BEGIN
    IF name IS NULL THEN
        RAISE EXCEPTION 'name must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF name = '' THEN
        RAISE EXCEPTION 'name must not be empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF per_customer_limit IS NOT NULL AND per_customer_limit <= 0 THEN
        RAISE EXCEPTION 'per_customer_limit must be a positive number, got %', per_customer_limit
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass NULL for no limit.';
    END IF;
    IF create_event.event_id IS NOT NULL AND create_event.event_id <= 0 THEN
        RAISE EXCEPTION 'event_id must be a positive number, got %', create_event.event_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF create_event.event_id IS NOT NULL THEN
        INSERT INTO ticketing.events AS e (event_id, name, per_customer_limit, starts_at)
        VALUES (create_event.event_id, create_event.name, create_event.per_customer_limit,
                create_event.starts_at)
        RETURNING e.event_id INTO new_id;
        RETURN new_id;
    END IF;
    -- Sequence-assigned: skip numbers already taken by explicit ids.
    LOOP
        INSERT INTO ticketing.events AS e (event_id, name, per_customer_limit, starts_at)
        VALUES (pg_catalog.nextval('ticketing.event_id_seq'::pg_catalog.regclass), create_event.name,
                create_event.per_customer_limit, create_event.starts_at)
        ON CONFLICT ON CONSTRAINT events_pkey DO NOTHING
        RETURNING e.event_id INTO new_id;
        EXIT WHEN new_id IS NOT NULL;
    END LOOP;
    RETURN new_id;
END
$$;

-- Locks the event row so concurrent loads number their tickets without collisions.
CREATE FUNCTION ticketing.lock_event_for_load(event_id bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF event_id IS NULL THEN
        RAISE EXCEPTION 'event_id must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF event_id <= 0 THEN
        RAISE EXCEPTION 'event_id must be a positive number, got %', event_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM 1 FROM ticketing.events e WHERE e.event_id = lock_event_for_load.event_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'event % does not exist', event_id
            USING ERRCODE = 'no_data_found',
                  HINT = 'Create it with ticketing.create_event().';
    END IF;
    RETURN (SELECT coalesce(pg_catalog.max(t.ticket_id), 0) FROM ticketing.tickets t
            WHERE t.event_id = lock_event_for_load.event_id);
END
$$;

CREATE FUNCTION ticketing.add_tickets(event_id bigint, quantity integer,
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
    last_id := ticketing.lock_event_for_load(event_id);
    INSERT INTO ticketing.tickets (event_id, ticket_id, seat)
    SELECT add_tickets.event_id, n, seat_prefix || n
    FROM pg_catalog.generate_series(last_id + 1, last_id + quantity) AS n;
    RETURN quantity;
END
$$;

CREATE FUNCTION ticketing.add_tickets(event_id bigint, seats text[])
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
        RAISE EXCEPTION 'seats must hold between 1 and 10000000 labels, got %', pg_catalog.cardinality(seats)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF pg_catalog.array_position(seats, '') IS NOT NULL THEN
        RAISE EXCEPTION 'seat labels must not be empty'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    last_id := ticketing.lock_event_for_load(event_id);
    INSERT INTO ticketing.tickets (event_id, ticket_id, seat)
    SELECT add_tickets.event_id, last_id + s.n, s.seat
    FROM pg_catalog.unnest(seats) WITH ORDINALITY AS s(seat, n);
    RETURN pg_catalog.cardinality(seats);
END
$$;

-- Counts per status. A lapsed hold counts as available: every claim treats it so.
CREATE FUNCTION ticketing.event_summary(event_id bigint)
RETURNS ticketing.event_counts
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    counts ticketing.event_counts;
BEGIN
    IF event_id IS NULL THEN
        RAISE EXCEPTION 'event_id must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF event_id <= 0 THEN
        RAISE EXCEPTION 'event_id must be a positive number, got %', event_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM 1 FROM ticketing.events e WHERE e.event_id = event_summary.event_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'event % does not exist', event_id
            USING ERRCODE = 'no_data_found',
                  HINT = 'Create it with ticketing.create_event().';
    END IF;
    SELECT event_summary.event_id,
           pg_catalog.count(*),
           pg_catalog.count(*) FILTER (WHERE t.status = 'available'
                               OR (t.status = 'held' AND t.hold_expires_at <= pg_catalog.now())),
           pg_catalog.count(*) FILTER (WHERE t.status = 'held' AND t.hold_expires_at > pg_catalog.now()),
           pg_catalog.count(*) FILTER (WHERE t.status = 'sold')
      INTO counts
      FROM ticketing.tickets t
     WHERE t.event_id = event_summary.event_id;
    RETURN counts;
END
$$;

-- One row per broken invariant; no rows means healthy.
CREATE FUNCTION ticketing.verify(event_id bigint DEFAULT NULL)
RETURNS SETOF ticketing.violation
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH scope_tickets AS (
        SELECT * FROM ticketing.tickets t WHERE $1 IS NULL OR t.event_id = $1
    ), scope_audit AS (
        SELECT * FROM ticketing.audit_log a WHERE $1 IS NULL OR a.event_id = $1
    ), latest AS (
        SELECT DISTINCT ON (a.event_id, a.ticket_id) a.event_id, a.ticket_id, a.to_status, a.customer
          FROM scope_audit a
         ORDER BY a.event_id, a.ticket_id, a.audit_id DESC
    ), chained AS (
        SELECT a.*,
               pg_catalog.lag(a.to_status) OVER w AS previous_to,
               pg_catalog.count(*) FILTER (WHERE a.to_status = 'available') OVER w AS releases_so_far
          FROM scope_audit a
        WINDOW w AS (PARTITION BY a.event_id, a.ticket_id ORDER BY a.audit_id)
    )
    SELECT t.event_id, t.ticket_id, 'owner_missing',
           pg_catalog.format('status %s but no owner', t.status)
      FROM scope_tickets t WHERE t.status IN ('sold', 'held') AND t.owner IS NULL
    UNION ALL
    SELECT t.event_id, t.ticket_id, 'available_with_owner',
           'status available but an owner or a hold expiry is set'
      FROM scope_tickets t
     WHERE t.status = 'available' AND (t.owner IS NOT NULL OR t.hold_expires_at IS NOT NULL)
    UNION ALL
    SELECT t.event_id, t.ticket_id, 'hold_expiry_mismatch',
           pg_catalog.format('status %s with hold expiry %s', t.status, coalesce(t.hold_expires_at::text, 'none'))
      FROM scope_tickets t
     WHERE (t.status = 'held') <> (t.hold_expires_at IS NOT NULL)
    UNION ALL
    SELECT t.event_id, t.ticket_id, 'status_disagrees_with_audit',
           pg_catalog.format('status %s but the latest audit row says %s', t.status,
                  coalesce(l.to_status, 'nothing (never changed)'))
      FROM scope_tickets t
      LEFT JOIN latest l ON l.event_id = t.event_id AND l.ticket_id = t.ticket_id
     WHERE t.status <> coalesce(l.to_status, 'available')
    UNION ALL
    SELECT t.event_id, t.ticket_id, 'owner_disagrees_with_audit',
           'the owner is not the customer of the latest audit row'
      FROM scope_tickets t
      JOIN latest l ON l.event_id = t.event_id AND l.ticket_id = t.ticket_id
     WHERE t.status IN ('sold', 'held') AND l.to_status = t.status
       AND t.owner IS DISTINCT FROM l.customer
    UNION ALL
    SELECT c.event_id, c.ticket_id, 'sold_twice',
           pg_catalog.format('%s sales without a release between them', pg_catalog.count(*))
      FROM chained c
     WHERE c.to_status = 'sold'
     GROUP BY c.event_id, c.ticket_id, c.releases_so_far
    HAVING pg_catalog.count(*) > 1
    UNION ALL
    SELECT c.event_id, c.ticket_id, 'audit_chain_broken',
           pg_catalog.format('audit row %s goes from %s, but the row before it left the ticket %s',
                  c.audit_id, c.from_status, coalesce(c.previous_to, 'available'))
      FROM chained c
     WHERE c.from_status <> coalesce(c.previous_to, 'available')
$$;

-------------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC. See the README for an application role's grants.
-------------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA ticketing FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA ticketing FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ticketing FROM PUBLIC;
