-- ticketing 1.1 -> 1.2: column defaults that cannot be captured by another schema's
-- functions, every function name in the bodies qualified, idempotency keys scoped per
-- (event, customer) and never purged all at once by a negative age, and shard identity
-- for a cluster of nodes behind a PL/Proxy router.
\echo Use "ALTER EXTENSION ticketing UPDATE TO '1.2'" to load this file. \quit

-------------------------------------------------------------------------------
-- Column defaults, qualified. 1.0 and 1.1 wrote nextval('...'), now() and
-- pg_current_xact_id() unqualified; resolved while the extension script ran with the
-- schema ticketing first on search_path, an unknown-typed nextval('...') prefers a
-- nextval(text) planted there over pg_catalog.nextval(regclass), and a sale would run
-- it with the extension owner's rights. These bind the defaults to pg_catalog's.
-------------------------------------------------------------------------------

ALTER TABLE ticketing.events
    ALTER COLUMN event_id
        SET DEFAULT pg_catalog.nextval('ticketing.event_id_seq'::pg_catalog.regclass),
    ALTER COLUMN created_at SET DEFAULT pg_catalog.now();
ALTER TABLE ticketing.tickets ALTER COLUMN updated_at SET DEFAULT pg_catalog.now();
ALTER TABLE ticketing.audit_log
    ALTER COLUMN audit_id
        SET DEFAULT pg_catalog.nextval('ticketing.audit_id_seq'::pg_catalog.regclass),
    ALTER COLUMN at SET DEFAULT pg_catalog.now(),
    ALTER COLUMN txid SET DEFAULT pg_catalog.pg_current_xact_id();
ALTER TABLE ticketing.customer_slots ALTER COLUMN touched_at SET DEFAULT pg_catalog.now();
ALTER TABLE ticketing.idempotency_keys ALTER COLUMN created_at SET DEFAULT pg_catalog.now();

-------------------------------------------------------------------------------
-- Housekeeping
-------------------------------------------------------------------------------

-- Forgets idempotency keys older than `older_than` (default: the
-- ticketing.idempotency_retention setting, 24 hours unless set). Both must be positive:
-- a negative age would forget every key, and a retry would then buy again.
CREATE OR REPLACE FUNCTION ticketing.purge_idempotency_keys(older_than interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    retention interval;
    purged bigint;
BEGIN
    retention := coalesce(
        older_than,
        coalesce(nullif(
            pg_catalog.current_setting('ticketing.idempotency_retention', true), ''), '24h')::interval);
    IF retention <= interval '0' THEN
        RAISE EXCEPTION 'idempotency keys can only be purged after a positive age, got %', retention
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = CASE WHEN older_than IS NULL
                              THEN 'Set ticketing.idempotency_retention to a positive duration.'
                              ELSE 'For example older_than => interval ''1 day''.' END;
    END IF;
    DELETE FROM ticketing.idempotency_keys k
     WHERE k.created_at < pg_catalog.now() - retention;
    GET DIAGNOSTICS purged = ROW_COUNT;
    RETURN purged;
END
$$;

-------------------------------------------------------------------------------
-- Idempotency keys, scoped per (event, customer): a key means the same wherever its
-- event lives. Every key of 1.1 was unique per (customer, key), so it is per
-- (event, customer, key) too.
-------------------------------------------------------------------------------

ALTER TABLE ticketing.idempotency_keys
    DROP CONSTRAINT idempotency_keys_pkey,
    ADD PRIMARY KEY (event_id, customer, idempotency_key);

-------------------------------------------------------------------------------
-- Shard identity
-------------------------------------------------------------------------------

-- Which shard of a cluster this node is (set with set_shard(); no row: a node of its
-- own). An event belongs to shard shard_of(event_id, shard_count), PL/Proxy's
-- `RUN ON hashint8(event_id)` over shard_count partitions.
CREATE TABLE ticketing.shard_identity (
    one_row     boolean PRIMARY KEY DEFAULT true CHECK (one_row),
    shard_index integer NOT NULL,
    shard_count integer NOT NULL,
    CHECK (shard_count OPERATOR(pg_catalog.>=) 1 AND shard_count OPERATOR(pg_catalog.<=) 1024
           AND (shard_count OPERATOR(pg_catalog.&) (shard_count OPERATOR(pg_catalog.-) 1))
               OPERATOR(pg_catalog.=) 0),
    CHECK (shard_index OPERATOR(pg_catalog.>=) 0 AND shard_index OPERATOR(pg_catalog.<) shard_count)
);
SELECT pg_catalog.pg_extension_config_dump('ticketing.shard_identity', '');

-- The shard an event belongs to in a cluster of shard_count shards (a power of 2): the
-- partition PL/Proxy's `RUN ON hashint8(event_id)` picks.
CREATE FUNCTION ticketing.shard_of(event_id bigint, shard_count integer)
RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.hashint8($1) & ($2 - 1) $$;

-- Makes this node shard shard_index of shard_count. Refused while it holds an event that
-- belongs to another shard.
CREATE FUNCTION ticketing.set_shard(shard_index integer, shard_count integer)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    misplaced bigint;
BEGIN
    IF shard_index IS NULL OR shard_count IS NULL THEN
        RAISE EXCEPTION 'shard_index and shard_count must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF shard_count < 1 OR shard_count > 1024 OR (shard_count & (shard_count - 1)) <> 0 THEN
        RAISE EXCEPTION 'shard_count must be a power of 2 between 1 and 1024, got %', shard_count
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'PL/Proxy splits by hash over a power-of-2 number of partitions.';
    END IF;
    IF shard_index < 0 OR shard_index >= shard_count THEN
        RAISE EXCEPTION 'shard_index must be between 0 and %, got %', shard_count - 1, shard_index
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT pg_catalog.count(*) INTO misplaced FROM ticketing.events e
     WHERE ticketing.shard_of(e.event_id, set_shard.shard_count) <> set_shard.shard_index;
    IF misplaced > 0 THEN
        RAISE EXCEPTION 'this node holds % events that belong to other shards of %', misplaced,
                        shard_count
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Move whole events (tickets, audit rows, keys, slots) to their shards first.';
    END IF;
    INSERT INTO ticketing.shard_identity AS s (shard_index, shard_count)
    VALUES (set_shard.shard_index, set_shard.shard_count)
    ON CONFLICT (one_row) DO UPDATE
       SET shard_index = excluded.shard_index, shard_count = excluded.shard_count;
END
$$;


-------------------------------------------------------------------------------
-- The SQL functions as a fresh 1.2 install has them: every function they call
-- qualified (their pinned search_path already kept them safe), create_event aware of
-- the shard identity, verify() reporting events that belong to another shard.
-------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION ticketing.create_event(name text, per_customer_limit integer DEFAULT NULL,
                                       starts_at timestamptz DEFAULT NULL,
                                       event_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    new_id bigint;
    shard ticketing.shard_identity;
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
    -- On a shard, only ids that belong to it.
    SELECT * INTO shard FROM ticketing.shard_identity;
    IF create_event.event_id IS NOT NULL AND shard.shard_count IS NOT NULL
       AND ticketing.shard_of(create_event.event_id, shard.shard_count) <> shard.shard_index THEN
        RAISE EXCEPTION 'event % belongs to shard % of %, not to this node (shard %)',
                        create_event.event_id,
                        ticketing.shard_of(create_event.event_id, shard.shard_count),
                        shard.shard_count, shard.shard_index
            USING ERRCODE = 'TK004',
                  HINT = 'Create events through the router, which sends each to its shard.';
    END IF;
    IF create_event.event_id IS NOT NULL THEN
        INSERT INTO ticketing.events AS e (event_id, name, per_customer_limit, starts_at)
        VALUES (create_event.event_id, create_event.name, create_event.per_customer_limit,
                create_event.starts_at)
        RETURNING e.event_id INTO new_id;
        RETURN new_id;
    END IF;
    -- Sequence-assigned: skip numbers already taken by explicit ids and, on a shard,
    -- numbers that belong to other shards.
    LOOP
        new_id := pg_catalog.nextval('ticketing.event_id_seq'::pg_catalog.regclass);
        CONTINUE WHEN shard.shard_count IS NOT NULL
                  AND ticketing.shard_of(new_id, shard.shard_count) <> shard.shard_index;
        INSERT INTO ticketing.events AS e (event_id, name, per_customer_limit, starts_at)
        VALUES (new_id, create_event.name, create_event.per_customer_limit, create_event.starts_at)
        ON CONFLICT ON CONSTRAINT events_pkey DO NOTHING
        RETURNING e.event_id INTO new_id;
        EXIT WHEN new_id IS NOT NULL;
    END LOOP;
    RETURN new_id;
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
    last_id := ticketing.lock_event_for_load(event_id);
    INSERT INTO ticketing.tickets (event_id, ticket_id, seat)
    SELECT add_tickets.event_id, last_id + s.n, s.seat
    FROM pg_catalog.unnest(seats) WITH ORDINALITY AS s(seat, n);
    RETURN pg_catalog.cardinality(seats);
END
$$;

-- Counts per status. A lapsed hold counts as available: every claim treats it so.
CREATE OR REPLACE FUNCTION ticketing.event_summary(event_id bigint)
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
           pg_catalog.count(*) FILTER (WHERE t.status = 'held'
                                         AND t.hold_expires_at > pg_catalog.now()),
           pg_catalog.count(*) FILTER (WHERE t.status = 'sold')
      INTO counts
      FROM ticketing.tickets t
     WHERE t.event_id = event_summary.event_id;
    RETURN counts;
END
$$;

-- One row per broken invariant of the tickets and their audit trail; no rows means
-- healthy. verify() adds the per-customer limits.
CREATE OR REPLACE FUNCTION ticketing.verify_tickets(event_id bigint DEFAULT NULL)
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
           pg_catalog.format('status %s with hold expiry %s', t.status,
                             coalesce(t.hold_expires_at::text, 'none'))
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

CREATE OR REPLACE FUNCTION ticketing.verify(event_id bigint DEFAULT NULL)
RETURNS SETOF ticketing.violation
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM ticketing.verify_tickets($1)
    UNION ALL
    SELECT e.event_id, NULL::bigint, 'limit_exceeded',
           pg_catalog.format('a customer owns %s tickets; the limit is %s', o.owned,
                             e.per_customer_limit)
      FROM ticketing.events e
      JOIN LATERAL (
            SELECT t.owner, pg_catalog.count(*) AS owned
              FROM ticketing.tickets t
             WHERE t.event_id = e.event_id AND t.owner IS NOT NULL
               AND (t.status = 'sold' OR (t.status = 'held' AND t.hold_expires_at > pg_catalog.now()))
             GROUP BY t.owner) o ON true
     WHERE e.per_customer_limit IS NOT NULL AND o.owned > e.per_customer_limit
       AND ($1 IS NULL OR e.event_id = $1)
    UNION ALL
    SELECT e.event_id, NULL::bigint, 'misplaced_event',
           pg_catalog.format('the event belongs to shard %s of %s; this node is shard %s',
                             ticketing.shard_of(e.event_id, s.shard_count), s.shard_count,
                             s.shard_index)
      FROM ticketing.events e, ticketing.shard_identity s
     WHERE ticketing.shard_of(e.event_id, s.shard_count) <> s.shard_index
       AND ($1 IS NULL OR e.event_id = $1)
$$;

-- Returns lapsed holds to inventory, with an audit row each. Not needed for
-- correctness (every claim treats a lapsed hold as available); safe to run while claims
-- run: it skips rows that claims have locked.
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
           FOR UPDATE SKIP LOCKED
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

REVOKE ALL ON ALL TABLES IN SCHEMA ticketing FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ticketing FROM PUBLIC;
