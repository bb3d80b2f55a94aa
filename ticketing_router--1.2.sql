-- ticketing_router 1.2: the ticketing API on a router node. Every call that names an event
-- runs, through PL/Proxy, on the shard that owns the event (PL/Proxy's partition of
-- hashint8(event_id)); the calls about the whole cluster run on every shard and combine.
-- Shards run the core extension `ticketing` at the same version, each made shard i of n
-- with ticketing.set_shard(i, n). docs/scale-out.md describes the set-up.
\echo Use "CREATE EXTENSION ticketing_router" to load this file. \quit

-- As in the core script, every function and operator is qualified with its schema:
-- CREATE EXTENSION runs this with the schema ticketing first on search_path.

-- The schema must be the extension's own (the core script's reasoning applies: a schema
-- made by another role could hold objects that names here resolve to).
DO $$
DECLARE
    schema_owner name;
    objects bigint;
BEGIN
    SELECT r.rolname INTO schema_owner
      FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
     WHERE n.nspname OPERATOR(pg_catalog.=) 'ticketing';
    SELECT pg_catalog.count(*) INTO objects
      FROM pg_catalog.pg_depend d
     WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass
       AND d.refobjid OPERATOR(pg_catalog.=) 'ticketing'::pg_catalog.regnamespace
       AND d.classid OPERATOR(pg_catalog.<>) 'pg_catalog.pg_extension'::pg_catalog.regclass;
    IF schema_owner OPERATOR(pg_catalog.<>) CURRENT_USER OR objects OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION 'schema ticketing already exists (owner %, % objects)', schema_owner, objects
            USING ERRCODE = 'invalid_schema_definition',
                  HINT = 'The router creates its own schema; it cannot share a node with the '
                         'core extension ticketing (a router is not a shard).';
    END IF;
END
$$;

-------------------------------------------------------------------------------
-- The same result and argument types as the core extension. PL/Proxy passes composite
-- values (claim_batch's requests) as text casts to the type of the same name on the
-- shard, and reads results by column name: names and column order must match.
-------------------------------------------------------------------------------

CREATE TYPE ticketing.ticket_result AS (
    outcome         text,
    event_id        bigint,
    ticket_id       bigint,
    seat            text,
    owner_is_you    boolean,
    at              timestamptz,
    hold_expires_at timestamptz
);

CREATE TYPE ticketing.order_result AS (
    outcome         text,
    event_id        bigint,
    ticket_ids      bigint[],
    seats           text[],
    remaining       bigint,
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

-- Event ids are picked here, so that they are unique across the cluster.
CREATE SEQUENCE ticketing.event_id_seq;
SELECT pg_catalog.pg_extension_config_dump('ticketing.event_id_seq', '');

-------------------------------------------------------------------------------
-- The cluster: a PL/Proxy SQL/MED server named ticketing_shards, one option pN per shard
-- (a libpq connection string), defined with ticketing.define_shards(). The server is not
-- part of the extension: pg_dump keeps it, DROP EXTENSION leaves it.
-------------------------------------------------------------------------------

-- The shard count: the number of pN options of the server (0 when it is not defined).
CREATE FUNCTION ticketing.shard_count()
RETURNS integer
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.count(*)::integer
      FROM pg_catalog.pg_foreign_server s, pg_catalog.unnest(s.srvoptions) AS o(opt)
     WHERE s.srvname = 'ticketing_shards' AND o.opt ~ '^p[0-9]+='
$$;

-- (Re)defines the shards: connstrs[i + 1] is the libpq connection string of shard i (a
-- power-of-2 count, PL/Proxy's rule). Creates the server and a PUBLIC user mapping
-- without options (each role connects to the shards as itself) when they are missing;
-- keeps the server's other options (connection_lifetime, query_timeout, ...). With check_shards,
-- it then asks every shard who it is and refuses a layout where shard i is not
-- set_shard(i, n) or runs another version of ticketing (ticketing.cluster_status()).
-- Changing the count does not move events: see docs/scale-out.md.
CREATE FUNCTION ticketing.define_shards(connstrs text[], check_shards boolean DEFAULT true)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n integer := pg_catalog.cardinality(connstrs);
    opts text[] := '{}';
    i integer;
    old text;
    bad record;
BEGIN
    IF connstrs IS NULL OR pg_catalog.array_position(connstrs, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'connstrs must not be NULL or contain NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF n < 1 OR n > 1024 OR (n & (n - 1)) <> 0 THEN
        RAISE EXCEPTION 'the shard count must be a power of 2 between 1 and 1024, got %', n
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'PL/Proxy maps hashint8(event_id) to a shard by masking with count - 1.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_foreign_server WHERE srvname = 'ticketing_shards') THEN
        FOR i IN 0 .. n - 1 LOOP
            opts := opts || pg_catalog.format('%I %L', 'p' || i, connstrs[i + 1]);
        END LOOP;
        EXECUTE pg_catalog.format('CREATE SERVER ticketing_shards FOREIGN DATA WRAPPER plproxy OPTIONS (%s)',
                                  pg_catalog.array_to_string(opts, ', '));
    ELSE
        -- One ALTER SERVER (PL/Proxy validates the result): drop every pN, add the new ones.
        FOR old IN
            SELECT pg_catalog.split_part(o.opt, '=', 1)
              FROM pg_catalog.pg_foreign_server s, pg_catalog.unnest(s.srvoptions) AS o(opt)
             WHERE s.srvname = 'ticketing_shards' AND o.opt ~ '^p[0-9]+='
        LOOP
            opts := opts || pg_catalog.format('DROP %I', old);
        END LOOP;
        FOR i IN 0 .. n - 1 LOOP
            opts := opts || pg_catalog.format('ADD %I %L', 'p' || i, connstrs[i + 1]);
        END LOOP;
        EXECUTE pg_catalog.format('ALTER SERVER ticketing_shards OPTIONS (%s)',
                                  pg_catalog.array_to_string(opts, ', '));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_user_mappings
                    WHERE srvname = 'ticketing_shards' AND usename = 'public') THEN
        EXECUTE 'CREATE USER MAPPING FOR PUBLIC SERVER ticketing_shards';
    END IF;
    IF check_shards THEN
        FOR bad IN SELECT * FROM ticketing.cluster_status() c WHERE c.problem IS NOT NULL LOOP
            RAISE EXCEPTION 'shard % (%): %', bad.shard, connstrs[bad.shard + 1], bad.problem
                USING ERRCODE = 'TK005',
                      HINT = 'Run ticketing.set_shard(i, n) on shard i and the same version of '
                             'ticketing on every shard, or call define_shards(..., check_shards => false).';
        END LOOP;
    END IF;
    RETURN n;
END
$$;

-- The value PL/Proxy hashes to pick a shard: hashint8(event_id). A NULL event id is
-- refused here with the core's SQLSTATE (PL/Proxy itself would say XX000, "hash
-- returned NULL"). Executable by everyone: every routed call runs it as its caller.
-- No SET search_path (the body names only pg_catalog.hashint8): a SET clause makes every
-- call save and restore the setting, which measured 8-10 us of router CPU per claim
-- (docs/scale-out.md); without it this check costs about 1 us over a bare hashint8.
CREATE FUNCTION ticketing.route(event_id bigint)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF event_id IS NULL THEN
        RAISE EXCEPTION 'event_id must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    RETURN pg_catalog.hashint8(event_id);
END
$$;

-- The shard an event belongs to: in this cluster, and in one of shard_count shards (the
-- core's function, for planning a cluster of another size).
CREATE FUNCTION ticketing.shard_of(event_id bigint)
RETURNS integer
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n integer := ticketing.shard_count();
BEGIN
    IF n = 0 THEN
        RAISE EXCEPTION 'no shards are defined'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Call ticketing.define_shards(ARRAY[''host=... dbname=...'', ...]).';
    END IF;
    RETURN ticketing.route(event_id) & (n - 1);
END
$$;

CREATE FUNCTION ticketing.shard_of(event_id bigint, shard_count integer)
RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.hashint8($1) & ($2 - 1) $$;

-- Who shard `shard` is: RUN ON an int4 argument picks partition (shard & (n - 1)).
CREATE FUNCTION ticketing.shard_identity_of(shard integer,
                                            OUT shard_index integer, OUT shard_count integer,
                                            OUT version text, OUT node text)
RETURNS record
LANGUAGE plproxy
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON shard;
    SELECT s.shard_index, s.shard_count,
           (SELECT x.extversion FROM pg_catalog.pg_extension x WHERE x.extname = 'ticketing') AS version,
           pg_catalog.current_database() || ' on port ' || pg_catalog.current_setting('port') AS node
      FROM (SELECT 1) AS one LEFT JOIN ticketing.shard_identity s ON true;
$$;

-- One row per shard: what it says it is, and what is wrong with that (NULL: nothing).
CREATE FUNCTION ticketing.cluster_status(OUT shard integer, OUT shard_index integer,
                                         OUT shard_count integer, OUT version text,
                                         OUT router_version text, OUT node text,
                                         OUT problem text)
RETURNS SETOF record
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n integer := ticketing.shard_count();
    me record;
BEGIN
    router_version := (SELECT x.extversion FROM pg_catalog.pg_extension x
                        WHERE x.extname = 'ticketing_router');
    FOR i IN 0 .. n - 1 LOOP
        shard := i;
        me := ticketing.shard_identity_of(i);
        shard_index := me.shard_index;
        shard_count := me.shard_count;
        version := me.version;
        node := me.node;
        problem := CASE
            WHEN version IS NULL THEN 'the extension ticketing is not installed there'
            WHEN version <> router_version THEN
                pg_catalog.format('ticketing %s there, ticketing_router %s here', version, router_version)
            WHEN shard_index IS NULL THEN
                pg_catalog.format('no shard identity: run ticketing.set_shard(%s, %s) there', i, n)
            WHEN shard_index <> i OR shard_count <> n THEN
                pg_catalog.format('it is shard %s of %s, the router expects shard %s of %s',
                                  shard_index, shard_count, i, n)
        END;
        RETURN NEXT;
    END LOOP;
END
$$;

-------------------------------------------------------------------------------
-- Calls, each run on the shard that owns its event. Same names, argument names,
-- defaults and result types as the core. Not SECURITY DEFINER: the caller connects to
-- the shard as itself (PL/Proxy's user mapping), where the core's grants apply.
--
-- Each states its remote SELECT: `SELECT * FROM f(args)` instead of PL/Proxy's default,
-- which casts every result column (docs/scale-out.md measures the difference). Wait
-- policies reach the shard as arguments: pass a duration (wait => '250ms') so a
-- contended ticket answers busy; an error on a shard costs the router its connection.
-------------------------------------------------------------------------------

CREATE FUNCTION ticketing.claim_ticket(event_id bigint, ticket_id bigint, customer text,
                                       wait text DEFAULT 'wait',
                                       idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result
LANGUAGE plproxy
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT * FROM ticketing.claim_ticket(event_id, ticket_id, customer, wait, idempotency_key);
$$;

CREATE FUNCTION ticketing.release_ticket(event_id bigint, ticket_id bigint, customer text,
                                         idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result
LANGUAGE plproxy
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT * FROM ticketing.release_ticket(event_id, ticket_id, customer, idempotency_key);
$$;

CREATE FUNCTION ticketing.hold_ticket(event_id bigint, ticket_id bigint, customer text,
                                      hold_for interval DEFAULT '10 minutes',
                                      wait text DEFAULT 'wait',
                                      idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result
LANGUAGE plproxy
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT * FROM ticketing.hold_ticket(event_id, ticket_id, customer, hold_for, wait,
                                        idempotency_key);
$$;

CREATE FUNCTION ticketing.confirm_hold(event_id bigint, ticket_id bigint, customer text,
                                       idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result
LANGUAGE plproxy
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT * FROM ticketing.confirm_hold(event_id, ticket_id, customer, idempotency_key);
$$;

CREATE FUNCTION ticketing.release_hold(event_id bigint, ticket_id bigint, customer text,
                                       idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result
LANGUAGE plproxy
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT * FROM ticketing.release_hold(event_id, ticket_id, customer, idempotency_key);
$$;

CREATE FUNCTION ticketing.claim_tickets(event_id bigint, ticket_ids bigint[], customer text,
                                        wait text DEFAULT 'wait',
                                        hold_for interval DEFAULT NULL,
                                        idempotency_key text DEFAULT NULL)
RETURNS ticketing.order_result
LANGUAGE plproxy
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT * FROM ticketing.claim_tickets(event_id, ticket_ids, customer, wait, hold_for,
                                          idempotency_key);
$$;

CREATE FUNCTION ticketing.claim_any(event_id bigint, customer text,
                                    quantity integer DEFAULT 1,
                                    section text DEFAULT NULL,
                                    seat_prefix text DEFAULT NULL,
                                    adjacent boolean DEFAULT false,
                                    hold_for interval DEFAULT NULL,
                                    idempotency_key text DEFAULT NULL)
RETURNS ticketing.order_result
LANGUAGE plproxy
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT * FROM ticketing.claim_any(event_id, customer, quantity, section, seat_prefix,
                                      adjacent, hold_for, idempotency_key);
$$;

-- The requests travel as text and are cast to ticketing.claim_request[] on the shard.
CREATE FUNCTION ticketing.claim_batch(event_id bigint, requests ticketing.claim_request[])
RETURNS SETOF ticketing.batch_result
LANGUAGE plproxy
ROWS 100
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT * FROM ticketing.claim_batch(event_id, requests);
$$;

-------------------------------------------------------------------------------
-- Administration
-------------------------------------------------------------------------------

-- create_event on the shard that will own the id (internal; see create_event).
CREATE FUNCTION ticketing.create_event_on_shard(name text, per_customer_limit integer,
                                                starts_at timestamptz, event_id bigint)
RETURNS bigint
LANGUAGE plproxy
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT ticketing.create_event(name, per_customer_limit, starts_at, event_id);
$$;

-- The router picks the id (its sequence, unique across the cluster) and sends
-- create_event(..., event_id => id) to shard_of(id). An id already taken on its shard
-- (an event created there directly) is skipped.
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
    IF create_event.event_id IS NOT NULL THEN
        RETURN ticketing.create_event_on_shard(name, per_customer_limit, starts_at,
                                               create_event.event_id);
    END IF;
    FOR attempt IN 1 .. 100 LOOP
        new_id := pg_catalog.nextval('ticketing.event_id_seq'::pg_catalog.regclass);
        BEGIN
            RETURN ticketing.create_event_on_shard(name, per_customer_limit, starts_at, new_id);
        EXCEPTION WHEN unique_violation THEN
            NULL; -- taken on its shard: try the next id
        END;
    END LOOP;
    RAISE EXCEPTION 'the next 100 event ids are all taken on their shards'
        USING ERRCODE = 'unique_violation',
              HINT = 'Advance ticketing.event_id_seq on the router past the shards'' ids.';
END
$$;

CREATE FUNCTION ticketing.add_tickets(event_id bigint, quantity integer,
                                      seat_prefix text DEFAULT 'GA-')
RETURNS bigint
LANGUAGE plproxy
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT ticketing.add_tickets(event_id, quantity, seat_prefix);
$$;

CREATE FUNCTION ticketing.add_tickets(event_id bigint, seats text[])
RETURNS bigint
LANGUAGE plproxy
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT ticketing.add_tickets(event_id, seats);
$$;

CREATE FUNCTION ticketing.event_summary(event_id bigint)
RETURNS ticketing.event_counts
LANGUAGE plproxy
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT * FROM ticketing.event_summary(event_id);
$$;

-- The summary of every event of every shard (router only).
CREATE FUNCTION ticketing.event_summaries()
RETURNS SETOF ticketing.event_counts
LANGUAGE plproxy
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ALL;
    SELECT s.* FROM ticketing.events AS e, ticketing.event_summary(e.event_id) AS s;
$$;

-- Every shard's verify() (each reports events that do not belong to it as
-- misplaced_event), one row per shard problem of the layout (shard_misconfigured), and
-- events that live on two shards at once (duplicate_event).
CREATE FUNCTION ticketing.verify_shards(event_id bigint)
RETURNS SETOF ticketing.violation
LANGUAGE plproxy
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ALL;
    SELECT * FROM ticketing.verify(event_id);
$$;

CREATE FUNCTION ticketing.event_ids_on_shards(OUT event_id bigint, OUT shard_index integer)
RETURNS SETOF record
LANGUAGE plproxy
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ALL;
    SELECT e.event_id, s.shard_index
      FROM ticketing.events AS e LEFT JOIN ticketing.shard_identity AS s ON true;
$$;

CREATE FUNCTION ticketing.verify(event_id bigint DEFAULT NULL)
RETURNS SETOF ticketing.violation
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT NULL::bigint, NULL::bigint, 'shard_misconfigured',
           pg_catalog.format('shard %s (%s): %s', c.shard, c.node, c.problem)
      FROM ticketing.cluster_status() c
     WHERE c.problem IS NOT NULL
    UNION ALL
    SELECT * FROM ticketing.verify_shards($1)
    UNION ALL
    SELECT d.event_id, NULL::bigint, 'duplicate_event',
           pg_catalog.format('the event exists on shards %s',
                             pg_catalog.array_to_string(pg_catalog.array_agg(d.shard_index
                                                        ORDER BY d.shard_index), ', '))
      FROM ticketing.event_ids_on_shards() d
     WHERE $1 IS NULL OR d.event_id = $1
     GROUP BY d.event_id
    HAVING pg_catalog.count(*) > 1
$$;

CREATE FUNCTION ticketing.expire_holds_on_shards(event_id bigint)
RETURNS SETOF bigint
LANGUAGE plproxy
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ALL;
    SELECT ticketing.expire_holds(event_id);
$$;

CREATE FUNCTION ticketing.expire_holds(event_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.sum(n)::bigint FROM ticketing.expire_holds_on_shards($1) AS n $$;

CREATE FUNCTION ticketing.purge_keys_on_shards(older_than interval)
RETURNS SETOF bigint
LANGUAGE plproxy
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ALL;
    SELECT ticketing.purge_idempotency_keys(older_than);
$$;

CREATE FUNCTION ticketing.purge_idempotency_keys(older_than interval DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.sum(n)::bigint FROM ticketing.purge_keys_on_shards($1) AS n $$;

-------------------------------------------------------------------------------
-- Metrics: every shard's ticketing.stats, summed per event. scope is 'cluster' when
-- every shard preloads the library; otherwise 'backend': the counters of the router
-- backend's own connections to the shards.
-------------------------------------------------------------------------------

CREATE FUNCTION ticketing.stats_on_shards(
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
LANGUAGE plproxy
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ALL;
    SELECT * FROM ticketing.stats;
$$;

CREATE VIEW ticketing.stats AS
SELECT s.event_id,
       CASE WHEN pg_catalog.bool_and(s.scope = 'cluster') THEN 'cluster' ELSE 'backend' END AS scope,
       pg_catalog.sum(s.attempts)::bigint AS attempts,
       pg_catalog.sum(s.claimed)::bigint AS claimed,
       pg_catalog.sum(s.already_owned)::bigint AS already_owned,
       pg_catalog.sum(s.already_sold)::bigint AS already_sold,
       pg_catalog.sum(s.held)::bigint AS held,
       pg_catalog.sum(s.not_found)::bigint AS not_found,
       pg_catalog.sum(s.busy)::bigint AS busy,
       pg_catalog.sum(s.released)::bigint AS released,
       pg_catalog.sum(s.not_owner)::bigint AS not_owner,
       pg_catalog.sum(s.hold_placed)::bigint AS hold_placed,
       pg_catalog.sum(s.hold_expired)::bigint AS hold_expired,
       pg_catalog.sum(s.not_held)::bigint AS not_held,
       pg_catalog.sum(s.limit_reached)::bigint AS limit_reached,
       pg_catalog.sum(s.insufficient)::bigint AS insufficient,
       pg_catalog.sum(s.sold_out)::bigint AS sold_out,
       pg_catalog.sum(s.errors)::bigint AS errors,
       pg_catalog.sum(s.lock_waits)::bigint AS lock_waits,
       pg_catalog.sum(s.lock_wait_ms) AS lock_wait_ms,
       pg_catalog.sum(s.skips)::bigint AS skips
  FROM ticketing.stats_on_shards() s
 GROUP BY s.event_id;

CREATE FUNCTION ticketing.reset_stats_on_shards()
RETURNS SETOF integer
LANGUAGE plproxy
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ALL;
    SELECT 1 FROM ticketing.reset_stats();
$$;

CREATE FUNCTION ticketing.reset_stats()
RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.count(*) FROM ticketing.reset_stats_on_shards() $$;

-------------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC but the hash every routed call runs as its caller.
-- An application role needs EXECUTE on the calls, USAGE on the schema and on the
-- server ticketing_shards, and the core's grants on every shard (docs/scale-out.md).
-------------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA ticketing FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA ticketing FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ticketing FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ticketing.route(bigint) TO PUBLIC;
