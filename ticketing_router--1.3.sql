-- ticketing_router 1.3: the ticketing API on a router node. Every call that names an event
-- runs, through PL/Proxy, on the shard that owns the event (PL/Proxy's partition of
-- hashint8(event_id)), once the router has checked its arguments; the calls about the
-- whole cluster ask every shard and combine, and report a shard that does not answer.
-- Shards run the core extension `ticketing` at the same version, each made shard i of n
-- with ticketing.set_shard(i, n). The router reaches them as the user mapping of the
-- extension's owner says. docs/scale-out.md describes the set-up.
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
    hold_expires_at timestamptz,
    quota           text,
    code            text
);

CREATE TYPE ticketing.order_result AS (
    outcome         text,
    event_id        bigint,
    ticket_ids      bigint[],
    seats           text[],
    remaining       bigint,
    at              timestamptz,
    hold_expires_at timestamptz,
    quota           text,
    codes           text[]
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
    at         timestamptz,
    quota      text,
    code       text
);

CREATE TYPE ticketing.batch_request AS (
    ticket_id       bigint,
    customer        text,
    idempotency_key text,
    category        text,
    cart            text
);

CREATE TYPE ticketing.category_counts AS (
    event_id  bigint,
    category  text,
    total     bigint,
    available bigint,
    held      bigint,
    sold      bigint
);

CREATE TYPE ticketing.quota_counts AS (
    event_id   bigint,
    quota      text,
    categories text[],
    size       integer,
    sold       bigint,
    held       bigint,
    available  bigint
);

CREATE TYPE ticketing.cart_result AS (
    outcome    text,
    event_id   bigint,
    token      text,
    expires_at timestamptz,
    ticket_ids bigint[],
    seats      text[]
);

-- Check-in and transfer (issue 19).
CREATE TYPE ticketing.ticket_code AS (
    ticket_id bigint,
    seat      text,
    code      text
);

CREATE TYPE ticketing.check_in_result AS (
    outcome     text,
    ticket_id   bigint,
    seat        text,
    gate        text,
    admitted_at timestamptz
);

CREATE TYPE ticketing.scan AS (
    code       text,
    gate       text,
    scanned_at timestamptz
);

CREATE TYPE ticketing.scan_result AS (
    scan_no     integer,
    outcome     text,
    ticket_id   bigint,
    gate        text,
    admitted_at timestamptz
);

-- Event ids are picked here, so that they are unique across the cluster.
CREATE SEQUENCE ticketing.event_id_seq;
SELECT pg_catalog.pg_extension_config_dump('ticketing.event_id_seq', '');

-------------------------------------------------------------------------------
-- The cluster: a PL/Proxy SQL/MED server named ticketing_shards, one option pN per shard
-- (a libpq connection string), defined with ticketing.define_shards(). The server is not
-- part of the extension: pg_dump keeps it, DROP EXTENSION leaves it.
--
-- Who the router is on the shards: every function that reaches them is SECURITY
-- DEFINER, and PL/Proxy 2.10 connects with the user mapping of current_user (or the PUBLIC
-- one), which is then the functions' owner: the role that created the extension. So no
-- other role needs USAGE on the server, and without it no role can create a user mapping
-- of its own (CREATE USER MAPPING FOR CURRENT_USER requires it) and reach the shards as
-- someone else. The DBA creates the owner's mapping, with the role and password the shards
-- know the router by (docs/scale-out.md, "Privileges and secrets").
--
-- Every role can read a server's options (pg_foreign_server.srvoptions), so the
-- connection strings carry no password: define_shards refuses one, cluster_status()
-- reports one put there by hand, and no message here quotes a connection string.
-- Passwords go in the owner's user mapping (whose options other roles cannot read) or in
-- the router's ~/.pgpass.
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

-- Whether a libpq connection string holds a secret: a password or sslpassword keyword
-- (also as a URI parameter), or a password in a URI's user part.
CREATE FUNCTION ticketing.connstr_has_secret(connstr text)
RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT connstr ~* '(^|[\s?&])(ssl)?password\s*='
        OR connstr ~* '^\s*postgres(ql)?://[^/?#@]*:[^/?#@]*@'
$$;

-- The text with every password in it replaced by ********: keyword values, quoted or not,
-- and URI user parts. Applied to the messages of shards' failures that the router reports
-- (cluster_status(), verify()), which may quote a connection string.
CREATE FUNCTION ticketing.redact_secrets(message text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.regexp_replace(
               pg_catalog.regexp_replace(message,
                   '((ssl)?password\s*=\s*)(''([^''\\]|\\.)*''?|\S*)', '\1********', 'gi'),
               '(postgres(ql)?://[^/?#@\s:]*):[^/?#@\s]*@', '\1:********@', 'gi')
$$;

-- A shard's failure to answer, as cluster_status(), verify() and event_summaries() report
-- it: the error's text on one line, passwords redacted.
CREATE FUNCTION ticketing.no_answer(message text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT 'no answer: ' || ticketing.redact_secrets(
               pg_catalog.btrim(pg_catalog.regexp_replace(message, '\s+', ' ', 'g')))
$$;

-- (Re)defines the shards: connstrs[i + 1] is the libpq connection string of shard i (a
-- power-of-2 count, PL/Proxy's rule), without a password. Creates the server when it is
-- missing; keeps its other options and every user mapping. It creates no user mapping:
-- the DBA gives the owner one, naming the role the shards know the router by. With
-- check_shards, it then asks every shard who it is and refuses (TK005) a layout where a
-- shard does not answer, is not set_shard(i, n), or runs another version of ticketing
-- (ticketing.cluster_status()). Changing the count does not move events: see
-- docs/scale-out.md.
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
    FOR i IN 0 .. n - 1 LOOP
        IF ticketing.connstr_has_secret(connstrs[i + 1]) THEN
            RAISE EXCEPTION 'the connection string of shard % holds a password', i
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Every role can read a server''s options. Put the password in the '
                             'user mapping of the role that owns ticketing_router (CREATE USER '
                             'MAPPING FOR ... SERVER ticketing_shards OPTIONS (user ''...'', '
                             'password ''...'')) or in the router''s ~/.pgpass.';
        END IF;
    END LOOP;
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
    IF check_shards THEN
        -- The shard by number and by what it said it is; never its connection string.
        FOR bad IN SELECT * FROM ticketing.cluster_status() c WHERE c.problem IS NOT NULL LOOP
            RAISE EXCEPTION '%', pg_catalog.format('shard %s%s: %s', bad.shard,
                                                   coalesce(' (' || bad.node || ')', ''), bad.problem)
                USING ERRCODE = 'TK005',
                      HINT = 'Every shard must answer (through the user mapping of the extension''s '
                             'owner), be set_shard(i, n) as shard i and run the same version of '
                             'ticketing; or call define_shards(..., check_shards => false).';
        END LOOP;
    END IF;
    RETURN n;
END
$$;

-- The value PL/Proxy hashes to pick a shard: hashint8(event_id). A NULL event id is
-- refused here with the core's SQLSTATE (PL/Proxy itself would say XX000, "hash
-- returned NULL"). Executable by everyone (shard_of() runs it as its caller); the calls
-- that carry a customer's request route through the checks further down instead.
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
-- core's function, for planning a cluster of another size: a power of 2 from 1 to 1024,
-- 22023 otherwise; NULL for a NULL argument).
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
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF shard_count < 1 OR shard_count > 1024 OR (shard_count & (shard_count - 1)) <> 0 THEN
        RAISE EXCEPTION 'shard_count must be a power of 2 between 1 and 1024, got %', shard_count
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'PL/Proxy splits by hash over a power-of-2 number of partitions.';
    END IF;
    RETURN pg_catalog.hashint8(event_id) & (shard_count - 1);
END
$$;

-- Who shard `shard` is, and as which role the router reaches it: RUN ON an int4
-- argument picks partition (shard & (n - 1)).
CREATE FUNCTION ticketing.shard_identity_of(shard integer,
                                            OUT shard_index integer, OUT shard_count integer,
                                            OUT version text, OUT node text)
RETURNS record
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON shard;
    SELECT s.shard_index, s.shard_count,
           (SELECT x.extversion FROM pg_catalog.pg_extension x WHERE x.extname = 'ticketing') AS version,
           pg_catalog.current_database() || ' on port ' || pg_catalog.current_setting('port')
               || ' as ' || session_user AS node
      FROM (SELECT 1) AS one LEFT JOIN ticketing.shard_identity s ON true;
$$;

-- One row per shard: what it says it is, and what is wrong with that (NULL: nothing). A
-- shard that does not answer is a row too (node NULL, the problem says why), and the
-- others still answer.
CREATE FUNCTION ticketing.cluster_status(OUT shard integer, OUT shard_index integer,
                                         OUT shard_count integer, OUT version text,
                                         OUT router_version text, OUT node text,
                                         OUT problem text)
RETURNS SETOF record
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
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
        shard_index := NULL;
        shard_count := NULL;
        version := NULL;
        node := NULL;
        BEGIN
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
        EXCEPTION WHEN OTHERS THEN
            problem := ticketing.no_answer(SQLERRM);
        END;
        IF EXISTS (SELECT 1 FROM pg_catalog.pg_foreign_server s, pg_catalog.unnest(s.srvoptions) AS o(opt)
                    WHERE s.srvname = 'ticketing_shards' AND pg_catalog.starts_with(o.opt, 'p' || i || '=')
                      AND ticketing.connstr_has_secret(pg_catalog.substr(o.opt, pg_catalog.strpos(o.opt, '=') + 1))) THEN
            problem := pg_catalog.concat_ws('; ', problem,
                           'its connection string holds a password, which every role can read: '
                           'move it to a user mapping (docs/scale-out.md)');
        END IF;
        RETURN NEXT;
    END LOOP;
END
$$;

-------------------------------------------------------------------------------
-- Bad input stops here, before PL/Proxy sends anything. An error raised on a shard costs
-- the router its connection to it (PL/Proxy closes it; the next call pays a new
-- connection on both sides), so a stream of bad requests would become a stream of
-- reconnections. Each call that carries a customer's request routes through a function
-- (route_*) that tests its arguments in one expression and, only when one may be wrong,
-- calls the checker of that call's shape (check_*), which raises what the core would
-- raise: the same SQLSTATE, message and hint, in the core's order (src/core/validation.cpp,
-- order_rules.cpp, wait_policy.cpp, src/backend/batch_calls.cpp, order_calls.cpp, carts.cpp;
-- test/scaleout/t/007_bad_input.pl compares every case with the shard's own answer).
-- What only the shard knows (an unknown event, a reused idempotency key) stays the
-- shard's to say, and so do a key that one customer uses twice in a batch (route_claim_batch
-- says why), a hold length with calendar units too near a bound to judge here, and a
-- cart's lifetime or extension out of its range (its message names the shard's setting
-- ticketing.cart_max_lifetime): they go to the shard as before. An unknown token, or
-- another customer's, is an outcome on the shard, never an error.
--
-- The route_* functions and the suspect_* predicates run as the owner (the calls are
-- SECURITY DEFINER) under the caller's search_path and without a SET clause (it costs
-- every call 8-10 us): every operator, function and type in them is qualified. The
-- suspect_* predicates are SQL functions the planner inlines into the route_* functions'
-- expressions. The checkers run on bad input only and pin their search_path.
-------------------------------------------------------------------------------

CREATE FUNCTION ticketing.suspect_id(value bigint)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT $1 IS NULL OR $1 OPERATOR(pg_catalog.<=) 0 $$;

-- A customer, a section or a seat prefix: 1 to 200 bytes, and not NULL.
CREATE FUNCTION ticketing.suspect_text(value text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT $1 IS NULL OR pg_catalog.octet_length($1) OPERATOR(pg_catalog.=) 0
        OR pg_catalog.octet_length($1) OPERATOR(pg_catalog.>) 200
$$;

-- An idempotency key: NULL, or 1 to 200 bytes.
CREATE FUNCTION ticketing.suspect_key(idempotency_key text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT $1 IS NOT NULL AND (pg_catalog.octet_length($1) OPERATOR(pg_catalog.=) 0
                               OR pg_catalog.octet_length($1) OPERATOR(pg_catalog.>) 200)
$$;

-- False for the three policies and the usual durations (1-99999ms, 1-99s); anything else
-- goes to check_wait().
CREATE FUNCTION ticketing.suspect_wait(wait text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT $1 IS NULL
        OR NOT ($1 OPERATOR(pg_catalog.=) 'wait' OR $1 OPERATOR(pg_catalog.=) 'skip'
                OR $1 OPERATOR(pg_catalog.=) 'nowait'
                OR $1 OPERATOR(pg_catalog.~) '^[1-9][0-9]{0,4}ms$'
                OR $1 OPERATOR(pg_catalog.~) '^[1-9][0-9]?s$')
$$;

-- False for holds between 1 second and 29 days (as interval comparison counts them);
-- anything else goes to check_hold_for().
CREATE FUNCTION ticketing.suspect_hold_for(hold_for interval)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT $1 IS NULL
        OR NOT ($1 OPERATOR(pg_catalog.>=) '1 second'::pg_catalog.interval
                AND $1 OPERATOR(pg_catalog.<=) '29 days'::pg_catalog.interval)
$$;

-- A category or a cart token: NULL, or 1 to 100 bytes (a required token is also tested
-- for NULL where it is used). A cart's lifetime (expires_in, extend_by) is tested for
-- NULL only: its range ends at the shard's ticketing.cart_max_lifetime, which the shard's
-- message names, so a lifetime out of range is the shard's to refuse.
CREATE FUNCTION ticketing.suspect_label(value text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT $1 IS NOT NULL AND (pg_catalog.octet_length($1) OPERATOR(pg_catalog.=) 0
                               OR pg_catalog.octet_length($1) OPERATOR(pg_catalog.>) 100)
$$;

-- An argument's text in an error message, as the core quotes it (quoted() in
-- src/core/domain_error.cpp): in double quotes, at most 40 bytes cut before a UTF-8
-- continuation byte, then "..." and the length in bytes.
CREATE FUNCTION ticketing.quoted_argument(value text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bytes bytea;
    cut integer := 40;
BEGIN
    IF octet_length(value) <= 40 THEN
        RETURN '"' || value || '"';
    END IF;
    bytes := convert_to(value, getdatabaseencoding());
    WHILE cut > 0 AND (get_byte(bytes, cut) & 192) = 128 LOOP -- get_byte counts from 0
        cut := cut - 1;
    END LOOP;
    RETURN '"' || convert_from(substring(bytes FROM 1 FOR cut), getdatabaseencoding())
           || '..." (' || octet_length(value) || ' bytes)';
END
$$;

CREATE FUNCTION ticketing.check_id(argument text, value bigint)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF value IS NULL THEN
        RAISE EXCEPTION '% must not be NULL', argument USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF value <= 0 THEN
        RAISE EXCEPTION '% must be a positive number, got %', argument, value
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;

-- A customer (argument: how the message names it, 'customer' or 'requests[i].customer').
CREATE FUNCTION ticketing.check_customer(argument text, customer text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF customer IS NULL THEN
        RAISE EXCEPTION '% must not be NULL', argument USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF customer = '' THEN
        RAISE EXCEPTION '% must not be empty', argument
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the buyer''s stable identifier, such as an account id.';
    END IF;
    IF octet_length(customer) > 200 THEN
        RAISE EXCEPTION '% is % bytes long; the maximum is 200', argument, octet_length(customer)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;

-- An idempotency key, NULL or 1 to 200 bytes (argument as for check_customer).
CREATE FUNCTION ticketing.check_key(argument text, idempotency_key text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF idempotency_key = '' THEN
        RAISE EXCEPTION '% must not be empty', argument
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass NULL for a call without a key.';
    END IF;
    IF octet_length(idempotency_key) > 200 THEN
        RAISE EXCEPTION '% is % bytes long; the maximum is 200', argument,
                        octet_length(idempotency_key)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;

-- 'wait', 'nowait', 'skip', or a duration as parse_lock_wait() reads one: digits, an
-- optional fraction, optional spaces, then ms or s; 1 ms to 5 minutes. A run of digits
-- worth more than 300000 is too long whatever follows it.
CREATE FUNCTION ticketing.check_wait(wait text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    part text[];
    whole text;
    fraction text;
    ms bigint;
BEGIN
    IF wait IS NULL THEN
        RAISE EXCEPTION 'wait must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF wait = 'wait' OR wait = 'nowait' OR wait = 'skip' THEN
        RETURN;
    END IF;
    part := regexp_match(wait, '^([0-9]*)(\.([0-9]*))?( *)(.*)$');
    whole := ltrim(part[1], '0');
    fraction := coalesce(part[3], '');
    IF length(whole) > 6 OR (whole <> '' AND whole::bigint > 300000) THEN
        ms := 300001;
    ELSIF part[1] = '' AND fraction = '' THEN
        ms := -1;
    ELSIF part[5] = 'ms' THEN
        ms := coalesce(nullif(whole, '')::bigint, 0);
    ELSIF part[5] = 's' THEN
        fraction := left(fraction, 3);
        ms := coalesce(nullif(whole, '')::bigint, 0) * 1000
              + coalesce(nullif(fraction, '')::bigint * 1000 / (10 ^ length(fraction))::bigint, 0);
    ELSE
        ms := -1;
    END IF;
    IF ms < 0 THEN
        RAISE EXCEPTION 'unknown wait policy %', ticketing.quoted_argument(wait)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use ''wait'', ''nowait'', ''skip'', or how long to wait at most, such as '
                         '''250ms'' or ''2s''.';
    END IF;
    IF ms < 1 OR ms > 300000 THEN
        RAISE EXCEPTION 'a wait must be between 1 ms and 5 minutes, got %', ticketing.quoted_argument(wait)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'For no wait at all use ''skip'' (answers busy) or ''nowait'' (raises 55P03).';
    END IF;
END
$$;

-- A hold's length: the core measures now() + hold_for - now() on the shard, in the
-- shard's time zone. Decided here only when no clock or calendar can change the answer:
-- time alone (no months, no days), every part at most zero, or, with months and days,
-- longer than 30 days even with the shortest months and 3 hours of clock changes.
-- Anything else (mixed signs, calendar units near a bound) is left to the shard.
CREATE FUNCTION ticketing.check_hold_for(hold_for interval)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    months numeric := extract(year FROM hold_for) * 12 + extract(month FROM hold_for);
    days numeric := extract(day FROM hold_for);
    micros numeric := extract(hour FROM hold_for) * 3600000000
                      + extract(minute FROM hold_for) * 60000000
                      + extract(microseconds FROM hold_for);
    max_micros constant numeric := 30 * 86400 * 1000000::numeric;
    refused boolean := false;
BEGIN
    IF hold_for IS NULL THEN
        RETURN;
    END IF;
    IF months = 0 AND days = 0 THEN
        refused := micros < 1000000 OR micros > max_micros;
    ELSIF months <= 0 AND days <= 0 AND micros <= 0 THEN
        refused := true;
    ELSIF months >= 0 AND days >= 0 AND micros >= 0 THEN
        refused := months * 28 * 86400000000 + days * 86400000000 + micros - 3 * 3600000000::numeric
                   > max_micros;
    END IF;
    IF refused THEN
        RAISE EXCEPTION 'hold_for must be between 1 second and 30 days'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'For example hold_for => interval ''10 minutes''.';
    END IF;
END
$$;

-- section and seat_prefix of claim_any: NULL, or 1 to 200 bytes.
CREATE FUNCTION ticketing.check_optional_text(argument text, value text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF value = '' THEN
        RAISE EXCEPTION '% must not be empty', argument
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass NULL to leave it out.';
    END IF;
    IF octet_length(value) > 200 THEN
        RAISE EXCEPTION '% is longer than 200 bytes', argument
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;

-- claim_any's category: NULL, or 1 to 100 bytes (present_category() in order_calls.cpp).
CREATE FUNCTION ticketing.check_category(category text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF category = '' OR octet_length(category) > 100 THEN
        RAISE EXCEPTION 'category must be 1 to 100 bytes long, got %', octet_length(category)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass NULL for any category.';
    END IF;
END
$$;

-- A cart's token, NULL or 1 to 100 bytes (require_cart_token() in src/backend/carts.cpp);
-- a batch's request names itself first (prefix 'requests[i].cart: ').
CREATE FUNCTION ticketing.check_cart_token(token text, prefix text DEFAULT '')
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF token = '' OR octet_length(token) > 100 THEN
        RAISE EXCEPTION '%a cart token must be 1 to 100 bytes long, got %', prefix, octet_length(token)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the token open_cart() returned.';
    END IF;
END
$$;

-- The checkers of each call's shape, in the core's order.

-- claim_ticket (takes_wait), hold_ticket (takes_wait, takes_hold, a cart), release_ticket,
-- confirm_hold, release_hold: run_ticket_call().
CREATE FUNCTION ticketing.check_ticket_call(event_id bigint, ticket_id bigint, customer text,
                                            takes_wait boolean, wait text,
                                            idempotency_key text,
                                            takes_hold boolean, hold_for interval,
                                            cart text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM ticketing.check_id('event_id', event_id);
    PERFORM ticketing.check_id('ticket_id', ticket_id);
    PERFORM ticketing.check_customer('customer', customer);
    IF takes_wait THEN
        PERFORM ticketing.check_wait(wait);
    END IF;
    PERFORM ticketing.check_key('idempotency_key', idempotency_key);
    PERFORM ticketing.check_cart_token(cart);
    IF takes_hold THEN
        IF hold_for IS NULL THEN
            RAISE EXCEPTION 'hold_for must not be NULL' USING ERRCODE = 'null_value_not_allowed';
        END IF;
        PERFORM ticketing.check_hold_for(hold_for);
    END IF;
END
$$;

-- claim_tickets: run_claim_tickets() and lock_order(); the array's shape is read first.
CREATE FUNCTION ticketing.check_claim_tickets(event_id bigint, ticket_ids bigint[], customer text,
                                              wait text, hold_for interval, idempotency_key text,
                                              cart text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    id bigint;
    n integer := coalesce(cardinality(ticket_ids), 0);
    twice bigint;
BEGIN
    IF array_ndims(ticket_ids) > 1 THEN
        RAISE EXCEPTION 'ticket_ids must be a one-dimensional array'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM ticketing.check_id('event_id', event_id);
    IF ticket_ids IS NULL THEN
        RAISE EXCEPTION 'ticket_ids must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF n = 0 THEN
        RAISE EXCEPTION 'ticket_ids must not be empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF n > 100 THEN
        RAISE EXCEPTION 'ticket_ids holds % ids; the maximum is 100', n
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOREACH id IN ARRAY ticket_ids LOOP
        IF id IS NULL THEN
            RAISE EXCEPTION 'ticket_ids must not contain NULL' USING ERRCODE = 'null_value_not_allowed';
        END IF;
        PERFORM ticketing.check_id('ticket_ids element', id);
    END LOOP;
    SELECT t.id INTO twice FROM unnest(ticket_ids) AS t(id)
     GROUP BY t.id HAVING count(*) > 1 ORDER BY t.id LIMIT 1;
    IF twice IS NOT NULL THEN
        RAISE EXCEPTION 'ticket_ids lists ticket % twice', twice
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'List each ticket once.';
    END IF;
    PERFORM ticketing.check_customer('customer', customer);
    PERFORM ticketing.check_wait(wait);
    PERFORM ticketing.check_key('idempotency_key', idempotency_key);
    PERFORM ticketing.check_cart_token(cart);
    PERFORM ticketing.check_hold_for(hold_for);
END
$$;

-- claim_any: run_claim_any().
CREATE FUNCTION ticketing.check_claim_any(event_id bigint, customer text, quantity integer,
                                          section text, seat_prefix text, adjacent boolean,
                                          hold_for interval, idempotency_key text,
                                          category text, cart text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM ticketing.check_id('event_id', event_id);
    PERFORM ticketing.check_customer('customer', customer);
    IF quantity IS NULL THEN
        RAISE EXCEPTION 'quantity must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF quantity < 1 OR quantity > 100 THEN
        RAISE EXCEPTION 'quantity must be between 1 and 100, got %', quantity
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM ticketing.check_optional_text('section', section);
    PERFORM ticketing.check_optional_text('seat_prefix', seat_prefix);
    IF section IS NOT NULL AND seat_prefix IS NOT NULL THEN
        RAISE EXCEPTION 'give section or seat_prefix, not both'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'section => ''A'' is the same as seat_prefix => ''A-''.';
    END IF;
    IF adjacent IS NULL THEN
        RAISE EXCEPTION 'adjacent must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    PERFORM ticketing.check_key('idempotency_key', idempotency_key);
    PERFORM ticketing.check_cart_token(cart);
    PERFORM ticketing.check_category(category);
    PERFORM ticketing.check_hold_for(hold_for);
END
$$;

-- claim_batch: validate() in src/backend/batch_calls.cpp, request by request; the first
-- request that repeats an earlier one's (customer, key) names that earlier one. The
-- requests of 1.3 (batch_request) add a category (of an any-seat request only) and a cart
-- to each.
CREATE FUNCTION ticketing.check_claim_batch(event_id bigint, requests ticketing.batch_request[])
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n integer := coalesce(cardinality(requests), 0);
    null_at integer[];
    first_use integer[];
    r ticketing.batch_request;
    i integer := 0;
    at text;
BEGIN
    IF array_ndims(requests) > 1 THEN
        RAISE EXCEPTION 'requests must be a one-dimensional array'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM ticketing.check_id('event_id', event_id);
    IF requests IS NULL THEN
        RAISE EXCEPTION 'requests must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF n < 1 OR n > 1000 THEN
        RAISE EXCEPTION 'requests must hold between 1 and 1000 requests, got %', n
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Request numbers count from 1 whatever the array's lower bound.
    null_at := ARRAY(SELECT p - array_lower(requests, 1) + 1 FROM unnest(array_positions(requests, NULL)) AS p);
    first_use := ARRAY(
        SELECT CASE WHEN u.k IS NULL OR u.c IS NULL THEN NULL
                    ELSE min(u.no) OVER (PARTITION BY u.c COLLATE "C", u.k COLLATE "C") END
          FROM unnest(requests) WITH ORDINALITY AS u(t, c, k, category, cart, no)
         ORDER BY u.no);
    FOREACH r IN ARRAY requests LOOP
        i := i + 1;
        at := 'requests[' || i || ']';
        IF i = ANY (null_at) THEN
            RAISE EXCEPTION '% must not be NULL', at USING ERRCODE = 'null_value_not_allowed';
        END IF;
        IF r.ticket_id IS NOT NULL THEN
            PERFORM ticketing.check_id(at || '.ticket_id', r.ticket_id);
        END IF;
        IF r.customer IS NULL THEN
            RAISE EXCEPTION '%.customer must not be NULL', at USING ERRCODE = 'null_value_not_allowed';
        END IF;
        PERFORM ticketing.check_customer(at || '.customer', r.customer);
        IF r.category IS NOT NULL THEN
            IF r.ticket_id IS NOT NULL THEN
                RAISE EXCEPTION '%.category applies to any-seat requests only', at
                    USING ERRCODE = 'invalid_parameter_value',
                          HINT = 'Leave ticket_id NULL to ask for any seat of a category.';
            END IF;
            IF r.category = '' OR octet_length(r.category) > 100 THEN
                RAISE EXCEPTION '%.category must be 1 to 100 bytes long, got %', at, octet_length(r.category)
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
        END IF;
        PERFORM ticketing.check_cart_token(r.cart, at || '.cart: ');
        IF r.idempotency_key IS NOT NULL THEN
            PERFORM ticketing.check_key(at || '.idempotency_key', r.idempotency_key);
            IF first_use[i] < i THEN
                RAISE EXCEPTION '% repeats the idempotency key of requests[%] for the same customer',
                                at, first_use[i]
                    USING ERRCODE = 'invalid_parameter_value',
                          HINT = 'Give each request of a batch its own key: a key stands for one request.';
            END IF;
        END IF;
    END LOOP;
END
$$;

-- The requests of 1.2 (claim_request) are checked as batch_requests without a category
-- or a cart; a NULL request stays NULL (ROW(NULL, NULL, NULL) is a request whose customer
-- is NULL, which its text form tells apart).
CREATE FUNCTION ticketing.check_claim_batch(event_id bigint, requests ticketing.claim_request[])
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF array_ndims(requests) > 1 THEN
        RAISE EXCEPTION 'requests must be a one-dimensional array'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM ticketing.check_claim_batch(event_id, CASE WHEN requests IS NOT NULL THEN ARRAY(
        SELECT CASE WHEN requests[i]::text IS NOT NULL
                    THEN ROW((requests[i]).ticket_id, (requests[i]).customer,
                             (requests[i]).idempotency_key, NULL, NULL)::ticketing.batch_request END
          FROM generate_subscripts(requests, 1) AS i
         ORDER BY i) END);
END
$$;

-- open_cart (takes no token), extend_cart (takes_extension), checkout_cart, abandon_cart,
-- cart_contents (no key): validate() in src/backend/carts.cpp, then the lifetime.
CREATE FUNCTION ticketing.check_cart_call(event_id bigint, takes_token boolean, token text,
                                          customer text, idempotency_key text,
                                          lifetime_argument text, lifetime interval)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM ticketing.check_id('event_id', event_id);
    IF takes_token THEN
        IF token IS NULL THEN
            RAISE EXCEPTION 'token must not be NULL' USING ERRCODE = 'null_value_not_allowed';
        END IF;
        PERFORM ticketing.check_cart_token(token);
    END IF;
    PERFORM ticketing.check_customer('customer', customer);
    PERFORM ticketing.check_key('idempotency_key', idempotency_key);
    IF lifetime_argument IS NOT NULL AND lifetime IS NULL THEN
        RAISE EXCEPTION '% must not be NULL', lifetime_argument
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
END
$$;

-- The RUN ON functions of the calls: hashint8(event_id) once the arguments pass.

CREATE FUNCTION ticketing.route_claim_ticket(event_id bigint, ticket_id bigint, customer text,
                                             wait text, idempotency_key text)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF ticketing.suspect_id(event_id) OR ticketing.suspect_id(ticket_id)
       OR ticketing.suspect_text(customer) OR ticketing.suspect_wait(wait)
       OR ticketing.suspect_key(idempotency_key) THEN
        PERFORM ticketing.check_ticket_call(event_id, ticket_id, customer, true, wait,
                                            idempotency_key, false, NULL, NULL);
    END IF;
    RETURN pg_catalog.hashint8(event_id);
END
$$;

-- release_ticket, confirm_hold, release_hold.
CREATE FUNCTION ticketing.route_ticket_change(event_id bigint, ticket_id bigint, customer text,
                                              idempotency_key text)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF ticketing.suspect_id(event_id) OR ticketing.suspect_id(ticket_id)
       OR ticketing.suspect_text(customer) OR ticketing.suspect_key(idempotency_key) THEN
        PERFORM ticketing.check_ticket_call(event_id, ticket_id, customer, false, NULL,
                                            idempotency_key, false, NULL, NULL);
    END IF;
    RETURN pg_catalog.hashint8(event_id);
END
$$;

CREATE FUNCTION ticketing.route_hold_ticket(event_id bigint, ticket_id bigint, customer text,
                                            hold_for interval, wait text, idempotency_key text,
                                            cart text)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF ticketing.suspect_id(event_id) OR ticketing.suspect_id(ticket_id)
       OR ticketing.suspect_text(customer) OR ticketing.suspect_wait(wait)
       OR ticketing.suspect_key(idempotency_key) OR ticketing.suspect_hold_for(hold_for)
       OR ticketing.suspect_label(cart) THEN
        PERFORM ticketing.check_ticket_call(event_id, ticket_id, customer, true, wait,
                                            idempotency_key, true, hold_for, cart);
    END IF;
    RETURN pg_catalog.hashint8(event_id);
END
$$;

CREATE FUNCTION ticketing.route_claim_tickets(event_id bigint, ticket_ids bigint[], customer text,
                                              wait text, hold_for interval, idempotency_key text,
                                              cart text)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF ticketing.suspect_id(event_id) OR ticket_ids IS NULL
       OR pg_catalog.array_ndims(ticket_ids) IS NULL
       OR pg_catalog.array_ndims(ticket_ids) OPERATOR(pg_catalog.>) 1
       OR pg_catalog.cardinality(ticket_ids) OPERATOR(pg_catalog.>) 100
       OR ticketing.suspect_text(customer) OR ticketing.suspect_wait(wait)
       OR ticketing.suspect_key(idempotency_key)
       OR (hold_for IS NOT NULL AND ticketing.suspect_hold_for(hold_for))
       OR ticketing.suspect_label(cart)
       OR EXISTS (SELECT FROM pg_catalog.unnest(ticket_ids) AS t(id)
                   GROUP BY t.id
                  HAVING t.id IS NULL OR t.id OPERATOR(pg_catalog.<=) 0
                      OR pg_catalog.count(*) OPERATOR(pg_catalog.>) 1) THEN
        PERFORM ticketing.check_claim_tickets(event_id, ticket_ids, customer, wait, hold_for,
                                              idempotency_key, cart);
    END IF;
    RETURN pg_catalog.hashint8(event_id);
END
$$;

CREATE FUNCTION ticketing.route_claim_any(event_id bigint, customer text, quantity integer,
                                          section text, seat_prefix text, adjacent boolean,
                                          hold_for interval, idempotency_key text,
                                          category text, cart text)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF ticketing.suspect_id(event_id) OR ticketing.suspect_text(customer)
       OR quantity IS NULL OR quantity OPERATOR(pg_catalog.<) 1
       OR quantity OPERATOR(pg_catalog.>) 100
       OR (section IS NOT NULL AND ticketing.suspect_text(section))
       OR (seat_prefix IS NOT NULL AND (section IS NOT NULL OR ticketing.suspect_text(seat_prefix)))
       OR adjacent IS NULL OR ticketing.suspect_key(idempotency_key)
       OR (hold_for IS NOT NULL AND ticketing.suspect_hold_for(hold_for))
       OR ticketing.suspect_label(category) OR ticketing.suspect_label(cart) THEN
        PERFORM ticketing.check_claim_any(event_id, customer, quantity, section, seat_prefix,
                                          adjacent, hold_for, idempotency_key, category, cart);
    END IF;
    RETURN pg_catalog.hashint8(event_id);
END
$$;

-- One pass over the requests. A key that one customer uses twice in a batch is left to
-- the shard (22023 there): finding it here would cost every batch with keys a grouping of
-- its requests (about half a microsecond per request), for a client's bug.
CREATE FUNCTION ticketing.route_claim_batch(event_id bigint, requests ticketing.claim_request[])
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF ticketing.suspect_id(event_id) OR requests IS NULL
       OR pg_catalog.array_ndims(requests) IS NULL
       OR pg_catalog.array_ndims(requests) OPERATOR(pg_catalog.>) 1
       OR pg_catalog.cardinality(requests) OPERATOR(pg_catalog.>) 1000
       OR EXISTS (SELECT FROM pg_catalog.unnest(requests) AS r
                   WHERE ticketing.suspect_text(r.customer) OR ticketing.suspect_key(r.idempotency_key)
                      OR r.ticket_id OPERATOR(pg_catalog.<=) 0) THEN
        PERFORM ticketing.check_claim_batch(event_id, requests);
    END IF;
    RETURN pg_catalog.hashint8(event_id);
END
$$;

-- The same for 1.3's requests, with their category and cart.
CREATE FUNCTION ticketing.route_claim_batch(event_id bigint, requests ticketing.batch_request[])
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF ticketing.suspect_id(event_id) OR requests IS NULL
       OR pg_catalog.array_ndims(requests) IS NULL
       OR pg_catalog.array_ndims(requests) OPERATOR(pg_catalog.>) 1
       OR pg_catalog.cardinality(requests) OPERATOR(pg_catalog.>) 1000
       OR EXISTS (SELECT FROM pg_catalog.unnest(requests) AS r
                   WHERE ticketing.suspect_text(r.customer) OR ticketing.suspect_key(r.idempotency_key)
                      OR r.ticket_id OPERATOR(pg_catalog.<=) 0
                      OR (r.category IS NOT NULL AND r.ticket_id IS NOT NULL)
                      OR ticketing.suspect_label(r.category) OR ticketing.suspect_label(r.cart)) THEN
        PERFORM ticketing.check_claim_batch(event_id, requests);
    END IF;
    RETURN pg_catalog.hashint8(event_id);
END
$$;

CREATE FUNCTION ticketing.route_open_cart(event_id bigint, customer text, expires_in interval)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF ticketing.suspect_id(event_id) OR ticketing.suspect_text(customer) OR expires_in IS NULL THEN
        PERFORM ticketing.check_cart_call(event_id, false, NULL, customer, NULL,
                                          'expires_in', expires_in);
    END IF;
    RETURN pg_catalog.hashint8(event_id);
END
$$;

CREATE FUNCTION ticketing.route_extend_cart(event_id bigint, token text, customer text,
                                            extend_by interval)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF ticketing.suspect_id(event_id) OR token IS NULL OR ticketing.suspect_label(token)
       OR ticketing.suspect_text(customer) OR extend_by IS NULL THEN
        PERFORM ticketing.check_cart_call(event_id, true, token, customer, NULL,
                                          'extend_by', extend_by);
    END IF;
    RETURN pg_catalog.hashint8(event_id);
END
$$;

-- checkout_cart, abandon_cart.
CREATE FUNCTION ticketing.route_cart_call(event_id bigint, token text, customer text,
                                          idempotency_key text)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF ticketing.suspect_id(event_id) OR token IS NULL OR ticketing.suspect_label(token)
       OR ticketing.suspect_text(customer) OR ticketing.suspect_key(idempotency_key) THEN
        PERFORM ticketing.check_cart_call(event_id, true, token, customer, idempotency_key,
                                          NULL, NULL);
    END IF;
    RETURN pg_catalog.hashint8(event_id);
END
$$;

CREATE FUNCTION ticketing.route_cart_contents(event_id bigint, token text, customer text)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF ticketing.suspect_id(event_id) OR token IS NULL OR ticketing.suspect_label(token)
       OR ticketing.suspect_text(customer) THEN
        PERFORM ticketing.check_cart_call(event_id, true, token, customer, NULL, NULL, NULL);
    END IF;
    RETURN pg_catalog.hashint8(event_id);
END
$$;

CREATE FUNCTION ticketing.route_event_summary(event_id bigint)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF ticketing.suspect_id(event_id) THEN
        PERFORM ticketing.check_id('event_id', event_id);
    END IF;
    RETURN pg_catalog.hashint8(event_id);
END
$$;

-------------------------------------------------------------------------------
-- Calls, each run on the shard that owns its event. Same names, argument names,
-- defaults and result types as the core. SECURITY DEFINER: PL/Proxy connects as the
-- owner's user mapping says (above), so an application role needs EXECUTE on the calls
-- and USAGE on the schema, and nothing on the server.
--
-- Each states its remote SELECT instead of PL/Proxy's default, which casts every result
-- column (docs/scale-out.md measures the difference): `SELECT * FROM f(args)`, or, for the
-- results of 1.3's shape, the columns by name, so that on a shard still at 1.2 (where
-- the results have no column quota) the statement fails before the call runs: nothing is
-- sold there without the caller being told (PL/Proxy would refuse the row after the
-- shard committed it). Wait policies reach the shard as arguments: pass a duration
-- (wait => '250ms') so a contended ticket answers busy; an error on a shard costs the
-- router its connection.
-------------------------------------------------------------------------------

CREATE FUNCTION ticketing.claim_ticket(event_id bigint, ticket_id bigint, customer text,
                                       wait text DEFAULT 'wait',
                                       idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_claim_ticket(event_id, ticket_id, customer, wait, idempotency_key);
    SELECT r.outcome, r.event_id, r.ticket_id, r.seat, r.owner_is_you, r.at, r.hold_expires_at, r.quota, r.code
      FROM ticketing.claim_ticket(event_id, ticket_id, customer, wait, idempotency_key) AS r;
$$;

CREATE FUNCTION ticketing.release_ticket(event_id bigint, ticket_id bigint, customer text,
                                         idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_ticket_change(event_id, ticket_id, customer, idempotency_key);
    SELECT r.outcome, r.event_id, r.ticket_id, r.seat, r.owner_is_you, r.at, r.hold_expires_at, r.quota, r.code
      FROM ticketing.release_ticket(event_id, ticket_id, customer, idempotency_key) AS r;
$$;

CREATE FUNCTION ticketing.hold_ticket(event_id bigint, ticket_id bigint, customer text,
                                      hold_for interval DEFAULT '10 minutes',
                                      wait text DEFAULT 'wait',
                                      idempotency_key text DEFAULT NULL,
                                      cart text DEFAULT NULL)
RETURNS ticketing.ticket_result
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_hold_ticket(event_id, ticket_id, customer, hold_for, wait,
                                       idempotency_key, cart);
    SELECT r.outcome, r.event_id, r.ticket_id, r.seat, r.owner_is_you, r.at, r.hold_expires_at, r.quota, r.code
      FROM ticketing.hold_ticket(event_id, ticket_id, customer, hold_for, wait,
                                 idempotency_key, cart) AS r;
$$;

CREATE FUNCTION ticketing.confirm_hold(event_id bigint, ticket_id bigint, customer text,
                                       idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_ticket_change(event_id, ticket_id, customer, idempotency_key);
    SELECT r.outcome, r.event_id, r.ticket_id, r.seat, r.owner_is_you, r.at, r.hold_expires_at, r.quota, r.code
      FROM ticketing.confirm_hold(event_id, ticket_id, customer, idempotency_key) AS r;
$$;

CREATE FUNCTION ticketing.release_hold(event_id bigint, ticket_id bigint, customer text,
                                       idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_ticket_change(event_id, ticket_id, customer, idempotency_key);
    SELECT r.outcome, r.event_id, r.ticket_id, r.seat, r.owner_is_you, r.at, r.hold_expires_at, r.quota, r.code
      FROM ticketing.release_hold(event_id, ticket_id, customer, idempotency_key) AS r;
$$;

CREATE FUNCTION ticketing.claim_tickets(event_id bigint, ticket_ids bigint[], customer text,
                                        wait text DEFAULT 'wait',
                                        hold_for interval DEFAULT NULL,
                                        idempotency_key text DEFAULT NULL,
                                        cart text DEFAULT NULL)
RETURNS ticketing.order_result
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_claim_tickets(event_id, ticket_ids, customer, wait, hold_for,
                                         idempotency_key, cart);
    SELECT r.outcome, r.event_id, r.ticket_ids, r.seats, r.remaining, r.at, r.hold_expires_at, r.quota, r.codes
      FROM ticketing.claim_tickets(event_id, ticket_ids, customer, wait, hold_for,
                                   idempotency_key, cart) AS r;
$$;

CREATE FUNCTION ticketing.claim_any(event_id bigint, customer text,
                                    quantity integer DEFAULT 1,
                                    section text DEFAULT NULL,
                                    seat_prefix text DEFAULT NULL,
                                    adjacent boolean DEFAULT false,
                                    hold_for interval DEFAULT NULL,
                                    idempotency_key text DEFAULT NULL,
                                    category text DEFAULT NULL,
                                    cart text DEFAULT NULL)
RETURNS ticketing.order_result
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_claim_any(event_id, customer, quantity, section, seat_prefix,
                                     adjacent, hold_for, idempotency_key, category, cart);
    SELECT r.outcome, r.event_id, r.ticket_ids, r.seats, r.remaining, r.at, r.hold_expires_at, r.quota, r.codes
      FROM ticketing.claim_any(event_id, customer, quantity, section, seat_prefix,
                               adjacent, hold_for, idempotency_key, category, cart) AS r;
$$;

-- The requests travel as text and are cast to ticketing.claim_request[] on the shard.
CREATE FUNCTION ticketing.claim_batch(event_id bigint, requests ticketing.claim_request[])
RETURNS SETOF ticketing.batch_result
LANGUAGE plproxy SECURITY DEFINER
ROWS 100
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_claim_batch(event_id, requests);
    SELECT r.request_no, r.outcome, r.ticket_id, r.seat, r.at, r.quota, r.code
      FROM ticketing.claim_batch(event_id, requests) AS r;
$$;

-- 1.3's requests (any seat of a category, holds into a cart), as ticketing.batch_request[].
CREATE FUNCTION ticketing.claim_batch(event_id bigint, requests ticketing.batch_request[])
RETURNS SETOF ticketing.batch_result
LANGUAGE plproxy SECURITY DEFINER
ROWS 100
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_claim_batch(event_id, requests);
    SELECT r.request_no, r.outcome, r.ticket_id, r.seat, r.at, r.quota, r.code
      FROM ticketing.claim_batch(event_id, requests) AS r;
$$;

-- Carts: each lives on the shard of its event (the token names a cart of that event).
CREATE FUNCTION ticketing.open_cart(event_id bigint, customer text,
                                    expires_in interval DEFAULT '15 minutes')
RETURNS ticketing.cart_result
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_open_cart(event_id, customer, expires_in);
    SELECT * FROM ticketing.open_cart(event_id, customer, expires_in);
$$;

CREATE FUNCTION ticketing.extend_cart(event_id bigint, token text, customer text,
                                      extend_by interval)
RETURNS ticketing.cart_result
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_extend_cart(event_id, token, customer, extend_by);
    SELECT * FROM ticketing.extend_cart(event_id, token, customer, extend_by);
$$;

CREATE FUNCTION ticketing.checkout_cart(event_id bigint, token text, customer text,
                                        idempotency_key text DEFAULT NULL)
RETURNS ticketing.order_result
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_cart_call(event_id, token, customer, idempotency_key);
    SELECT r.outcome, r.event_id, r.ticket_ids, r.seats, r.remaining, r.at, r.hold_expires_at, r.quota, r.codes
      FROM ticketing.checkout_cart(event_id, token, customer, idempotency_key) AS r;
$$;

CREATE FUNCTION ticketing.abandon_cart(event_id bigint, token text, customer text,
                                       idempotency_key text DEFAULT NULL)
RETURNS ticketing.order_result
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_cart_call(event_id, token, customer, idempotency_key);
    SELECT r.outcome, r.event_id, r.ticket_ids, r.seats, r.remaining, r.at, r.hold_expires_at, r.quota, r.codes
      FROM ticketing.abandon_cart(event_id, token, customer, idempotency_key) AS r;
$$;

CREATE FUNCTION ticketing.cart_contents(event_id bigint, token text, customer text)
RETURNS ticketing.cart_result
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_cart_contents(event_id, token, customer);
    SELECT * FROM ticketing.cart_contents(event_id, token, customer);
$$;

CREATE FUNCTION ticketing.event_summary(event_id bigint)
RETURNS ticketing.event_counts
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_event_summary(event_id);
    SELECT * FROM ticketing.event_summary(event_id);
$$;

-------------------------------------------------------------------------------
-- Administration. SECURITY DEFINER as well (the shards see the same role), so a role
-- the DBA lets administer needs EXECUTE on these and nothing on the server either.
-------------------------------------------------------------------------------

-- create_event on the shard that will own the id (internal; see create_event).
CREATE FUNCTION ticketing.create_event_on_shard(name text, per_customer_limit integer,
                                                starts_at timestamptz, event_id bigint)
RETURNS bigint
LANGUAGE plproxy SECURITY DEFINER
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
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
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
                                      seat_prefix text DEFAULT 'GA-',
                                      category text DEFAULT 'general')
RETURNS bigint
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT ticketing.add_tickets(event_id, quantity, seat_prefix, category);
$$;

CREATE FUNCTION ticketing.add_tickets(event_id bigint, seats text[],
                                      category text DEFAULT 'general')
RETURNS bigint
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT ticketing.add_tickets(event_id, seats, category);
$$;

-- Quotas live with their event, on its shard.
CREATE FUNCTION ticketing.create_quota(event_id bigint, name text, size integer,
                                       categories text[], stripes integer DEFAULT 64)
RETURNS bigint
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT ticketing.create_quota(event_id, name, size, categories, stripes);
$$;

CREATE FUNCTION ticketing.resize_quota(event_id bigint, name text, size integer)
RETURNS void
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT ticketing.resize_quota(event_id, name, size);
$$;

CREATE FUNCTION ticketing.drop_quota(event_id bigint, name text)
RETURNS void
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT ticketing.drop_quota(event_id, name);
$$;

CREATE FUNCTION ticketing.quota_summary(event_id bigint)
RETURNS SETOF ticketing.quota_counts
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT * FROM ticketing.quota_summary(event_id);
$$;

CREATE FUNCTION ticketing.category_summary(event_id bigint)
RETURNS SETOF ticketing.category_counts
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT * FROM ticketing.category_summary(event_id);
$$;

-- The calls over the whole cluster ask the shards one at a time (RUN ON shard), so that a
-- shard that does not answer is a row saying so while the others answer.

CREATE FUNCTION ticketing.event_summaries_on_shard(shard integer)
RETURNS SETOF ticketing.event_counts
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON shard;
    SELECT s.* FROM ticketing.events AS e, ticketing.event_summary(e.event_id) AS s;
$$;

-- The summary of every event of every shard (router only), with the shard it is on; a
-- shard that does not answer is one row with event_id NULL and the problem.
CREATE FUNCTION ticketing.event_summaries(OUT event_id bigint, OUT total bigint,
                                          OUT available bigint, OUT held bigint,
                                          OUT sold bigint, OUT shard integer,
                                          OUT problem text)
RETURNS SETOF record
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    counts ticketing.event_counts[];
    c ticketing.event_counts;
BEGIN
    FOR i IN 0 .. ticketing.shard_count() - 1 LOOP
        shard := i;
        BEGIN
            counts := ARRAY(SELECT s FROM ticketing.event_summaries_on_shard(i) AS s);
        EXCEPTION WHEN OTHERS THEN
            event_id := NULL;
            total := NULL;
            available := NULL;
            held := NULL;
            sold := NULL;
            problem := ticketing.no_answer(SQLERRM);
            RETURN NEXT;
            CONTINUE;
        END;
        problem := NULL;
        FOREACH c IN ARRAY counts LOOP
            event_id := c.event_id;
            total := c.total;
            available := c.available;
            held := c.held;
            sold := c.sold;
            RETURN NEXT;
        END LOOP;
    END LOOP;
END
$$;

CREATE FUNCTION ticketing.category_summaries_on_shard(shard integer)
RETURNS SETOF ticketing.category_counts
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON shard;
    SELECT s.* FROM ticketing.events AS e, ticketing.category_summary(e.event_id) AS s;
$$;

-- category_summary of every event of every shard (router only), as event_summaries().
CREATE FUNCTION ticketing.category_summaries(OUT event_id bigint, OUT category text,
                                             OUT total bigint, OUT available bigint,
                                             OUT held bigint, OUT sold bigint,
                                             OUT shard integer, OUT problem text)
RETURNS SETOF record
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    counts ticketing.category_counts[];
BEGIN
    FOR i IN 0 .. ticketing.shard_count() - 1 LOOP
        BEGIN
            counts := ARRAY(SELECT s FROM ticketing.category_summaries_on_shard(i) AS s);
        EXCEPTION WHEN OTHERS THEN
            RETURN QUERY SELECT NULL::bigint, NULL::text, NULL::bigint, NULL::bigint,
                                NULL::bigint, NULL::bigint, i, ticketing.no_answer(SQLERRM);
            CONTINUE;
        END;
        RETURN QUERY SELECT c.*, i, NULL::text FROM unnest(counts) AS c;
    END LOOP;
END
$$;

CREATE FUNCTION ticketing.quota_summaries_on_shard(shard integer)
RETURNS SETOF ticketing.quota_counts
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON shard;
    SELECT s.* FROM ticketing.events AS e, ticketing.quota_summary(e.event_id) AS s;
$$;

-- quota_summary of every event of every shard (router only), as event_summaries().
CREATE FUNCTION ticketing.quota_summaries(OUT event_id bigint, OUT quota text,
                                          OUT categories text[], OUT size integer,
                                          OUT sold bigint, OUT held bigint,
                                          OUT available bigint, OUT shard integer,
                                          OUT problem text)
RETURNS SETOF record
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    counts ticketing.quota_counts[];
BEGIN
    FOR i IN 0 .. ticketing.shard_count() - 1 LOOP
        BEGIN
            counts := ARRAY(SELECT s FROM ticketing.quota_summaries_on_shard(i) AS s);
        EXCEPTION WHEN OTHERS THEN
            RETURN QUERY SELECT NULL::bigint, NULL::text, NULL::text[], NULL::integer,
                                NULL::bigint, NULL::bigint, NULL::bigint, i,
                                ticketing.no_answer(SQLERRM);
            CONTINUE;
        END;
        RETURN QUERY SELECT c.*, i, NULL::text FROM unnest(counts) AS c;
    END LOOP;
END
$$;

CREATE FUNCTION ticketing.verify_on_shard(shard integer, event_id bigint)
RETURNS SETOF ticketing.violation
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON shard;
    SELECT * FROM ticketing.verify(event_id);
$$;

CREATE FUNCTION ticketing.event_ids_on_shard(shard integer)
RETURNS SETOF bigint
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON shard;
    SELECT e.event_id FROM ticketing.events AS e;
$$;

-- Every shard's verify() (each reports events that do not belong to it as
-- misplaced_event), one row per shard problem of the layout (shard_misconfigured), one
-- per shard that does not answer (shard_unreachable), and events that live on two shards
-- at once (duplicate_event).
CREATE FUNCTION ticketing.verify(event_id bigint DEFAULT NULL)
RETURNS SETOF ticketing.violation
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
    found ticketing.violation[];
    v ticketing.violation;
    placed bigint[] := '{}';    -- event ids, and in shard_at the shard of each
    shard_at integer[] := '{}';
    ids bigint[];
BEGIN
    FOR c IN SELECT * FROM ticketing.cluster_status() ORDER BY 1 LOOP
        IF c.node IS NULL THEN
            RETURN NEXT ROW(NULL, NULL, 'shard_unreachable',
                            pg_catalog.format('shard %s: %s', c.shard, c.problem))::ticketing.violation;
            CONTINUE;
        END IF;
        IF c.problem IS NOT NULL THEN
            RETURN NEXT ROW(NULL, NULL, 'shard_misconfigured',
                            pg_catalog.format('shard %s (%s): %s', c.shard, c.node, c.problem))::ticketing.violation;
        END IF;
        BEGIN
            found := ARRAY(SELECT s FROM ticketing.verify_on_shard(c.shard, verify.event_id) AS s);
            ids := ARRAY(SELECT e FROM ticketing.event_ids_on_shard(c.shard) AS e
                          WHERE verify.event_id IS NULL OR e = verify.event_id);
        EXCEPTION WHEN OTHERS THEN
            RETURN NEXT ROW(NULL, NULL, 'shard_unreachable',
                            pg_catalog.format('shard %s: %s', c.shard,
                                              ticketing.no_answer(SQLERRM)))::ticketing.violation;
            CONTINUE;
        END;
        FOREACH v IN ARRAY found LOOP
            RETURN NEXT v;
        END LOOP;
        placed := placed || ids;
        shard_at := shard_at || pg_catalog.array_fill(c.shard, ARRAY[pg_catalog.cardinality(ids)]);
    END LOOP;
    RETURN QUERY
        SELECT p.id, NULL::bigint, 'duplicate_event'::text,
               pg_catalog.format('the event exists on shards %s',
                                 pg_catalog.array_to_string(pg_catalog.array_agg(p.shard ORDER BY p.shard), ', '))
          FROM ROWS FROM (pg_catalog.unnest(placed), pg_catalog.unnest(shard_at)) AS p(id, shard)
         GROUP BY p.id
        HAVING pg_catalog.count(*) > 1
         ORDER BY p.id;
END
$$;

CREATE FUNCTION ticketing.expire_holds_on_shards(event_id bigint)
RETURNS SETOF bigint
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ALL;
    SELECT ticketing.expire_holds(event_id);
$$;

CREATE FUNCTION ticketing.expire_holds(event_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.sum(n)::bigint FROM ticketing.expire_holds_on_shards($1) AS n $$;

CREATE FUNCTION ticketing.purge_keys_on_shards(older_than interval)
RETURNS SETOF bigint
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ALL;
    SELECT ticketing.purge_idempotency_keys(older_than);
$$;

CREATE FUNCTION ticketing.purge_idempotency_keys(older_than interval DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.sum(n)::bigint FROM ticketing.purge_keys_on_shards($1) AS n $$;

-------------------------------------------------------------------------------
-- Waiting list (issue 19). An event's list lives on the event's shard, with the event:
-- every call below runs there, and so does what makes a waiting list oversell-proof (a
-- ticket freed on the shard is offered there in the same transaction, whichever node the
-- freeing call came through). The NOTIFY of an offer is sent on the shard: a mailer
-- LISTENs there (channel ticketing_waitlist_<event_id>, shard_of(event_id) says which),
-- or polls pending_offers() through the router.
-------------------------------------------------------------------------------

CREATE TYPE ticketing.waitlist_result AS (
    outcome          text,
    event_id         bigint,
    entry_id         bigint,
    place            bigint,
    status           text,
    ticket_ids       bigint[],
    offer_expires_at timestamptz,
    skipped_for      text
);

-- An offer's length: as check_hold_for, between 1 minute and 7 days (validate_join() in
-- src/core/waitlist_rules.cpp), decided here only when no clock or calendar can change
-- the answer; anything else is left to the shard.
CREATE FUNCTION ticketing.check_offer_for(offer_for interval)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    months numeric := extract(year FROM offer_for) * 12 + extract(month FROM offer_for);
    days numeric := extract(day FROM offer_for);
    micros numeric := extract(hour FROM offer_for) * 3600000000
                      + extract(minute FROM offer_for) * 60000000
                      + extract(microseconds FROM offer_for);
    max_micros constant numeric := 7 * 86400 * 1000000::numeric;
    refused boolean := false;
BEGIN
    IF offer_for IS NULL THEN
        RAISE EXCEPTION 'offer_for must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF months = 0 AND days = 0 THEN
        refused := micros < 60000000 OR micros > max_micros;
    ELSIF months <= 0 AND days <= 0 AND micros <= 0 THEN
        refused := true;
    ELSIF months >= 0 AND days >= 0 AND micros >= 0 THEN
        refused := months * 28 * 86400000000 + days * 86400000000 + micros - 3 * 3600000000::numeric
                   > max_micros;
    END IF;
    IF refused THEN
        RAISE EXCEPTION 'offer_for must be between 1 minute and 7 days'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'It is how long an offer is held for the customer, for example '
                         'offer_for => interval ''15 minutes''.';
    END IF;
END
$$;

-- join_waitlist: validate_join() in src/core/waitlist_rules.cpp.
CREATE FUNCTION ticketing.check_join_waitlist(event_id bigint, customer text, quantity integer,
                                              category text, together boolean,
                                              offer_for interval)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM ticketing.check_id('event_id', event_id);
    PERFORM ticketing.check_customer('customer', customer);
    IF quantity IS NULL THEN
        RAISE EXCEPTION 'quantity must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF quantity < 1 OR quantity > 100 THEN
        RAISE EXCEPTION 'quantity must be between 1 and 100, got %', quantity
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF category = '' OR octet_length(category) > 100 THEN
        RAISE EXCEPTION 'category must be 1 to 100 bytes long, got %', octet_length(category)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass NULL to wait for tickets of any category.';
    END IF;
    IF together IS NULL THEN
        RAISE EXCEPTION 'together must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    PERFORM ticketing.check_offer_for(offer_for);
END
$$;

-- False for offers between 1 minute and 7 days of time alone (as interval comparison
-- counts them); anything else goes to check_offer_for().
CREATE FUNCTION ticketing.route_join_waitlist(event_id bigint, customer text, quantity integer,
                                              category text, together boolean,
                                              offer_for interval)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF ticketing.suspect_id(event_id) OR ticketing.suspect_text(customer)
       OR quantity IS NULL OR quantity OPERATOR(pg_catalog.<) 1
       OR quantity OPERATOR(pg_catalog.>) 100
       OR ticketing.suspect_label(category) OR together IS NULL OR offer_for IS NULL
       OR NOT (offer_for OPERATOR(pg_catalog.>=) '1 minute'::pg_catalog.interval
               AND offer_for OPERATOR(pg_catalog.<=) '6 days'::pg_catalog.interval) THEN
        PERFORM ticketing.check_join_waitlist(event_id, customer, quantity, category, together,
                                              offer_for);
    END IF;
    RETURN pg_catalog.hashint8(event_id);
END
$$;

-- leave_waitlist, waitlist_position: the event, then the customer.
CREATE FUNCTION ticketing.route_waitlist_customer(event_id bigint, customer text)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF ticketing.suspect_id(event_id) OR ticketing.suspect_text(customer) THEN
        PERFORM ticketing.check_id('event_id', event_id);
        PERFORM ticketing.check_customer('customer', customer);
    END IF;
    RETURN pg_catalog.hashint8(event_id);
END
$$;

CREATE FUNCTION ticketing.join_waitlist(event_id bigint, customer text, quantity integer DEFAULT 1,
                                        category text DEFAULT NULL, together boolean DEFAULT false,
                                        offer_for interval DEFAULT '15 minutes')
RETURNS ticketing.waitlist_result
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_join_waitlist(event_id, customer, quantity, category, together,
                                         offer_for);
    SELECT * FROM ticketing.join_waitlist(event_id, customer, quantity, category, together,
                                          offer_for);
$$;

CREATE FUNCTION ticketing.leave_waitlist(event_id bigint, customer text)
RETURNS ticketing.waitlist_result
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_waitlist_customer(event_id, customer);
    SELECT * FROM ticketing.leave_waitlist(event_id, customer);
$$;

CREATE FUNCTION ticketing.waitlist_position(event_id bigint, customer text)
RETURNS ticketing.waitlist_result
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_waitlist_customer(event_id, customer);
    SELECT * FROM ticketing.waitlist_position(event_id, customer);
$$;

-- For the shop's staff and its mailer. An event id of NULL cannot be routed: the router
-- raises 22004 where the shard's SQL functions answer no rows (as they do, on the shard,
-- for an unknown or non-positive id).
CREATE FUNCTION ticketing.waitlist(event_id bigint)
RETURNS TABLE (entry_id bigint, customer text, place bigint, quantity integer, category text,
               together boolean, status text, joined_at timestamptz, offered_at timestamptz,
               offer_expires_at timestamptz, ticket_ids bigint[], bought integer,
               skipped_for text, skipped_at timestamptz)
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT * FROM ticketing.waitlist(event_id);
$$;

CREATE FUNCTION ticketing.pending_offers(event_id bigint)
RETURNS TABLE (entry_id bigint, customer text, ticket_ids bigint[], seats text[],
               offer_expires_at timestamptz)
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT * FROM ticketing.pending_offers(event_id);
$$;

-- Administration of a list, on the event's shard.
CREATE FUNCTION ticketing.open_waitlist(event_id bigint)
RETURNS void
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT ticketing.open_waitlist(event_id);
$$;

CREATE FUNCTION ticketing.close_waitlist(event_id bigint)
RETURNS bigint
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT ticketing.close_waitlist(event_id);
$$;

CREATE FUNCTION ticketing.offer_waitlist(event_id bigint)
RETURNS integer
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_event_summary(event_id);
    SELECT ticketing.offer_waitlist(event_id);
$$;

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
    OUT quota_exhausted bigint,
    OUT cart_not_found bigint,
    OUT cart_expired  bigint,
    OUT cart_closed   bigint,
    OUT empty_cart    bigint,
    OUT opened        bigint,
    OUT extended      bigint,
    OUT capped        bigint,
    OUT admitted      bigint,
    OUT already_admitted bigint,
    OUT not_sold      bigint,
    OUT unknown_code  bigint,
    OUT wrong_event   bigint,
    OUT revoked       bigint,
    OUT transferred   bigint,
    OUT joined        bigint,
    OUT offered       bigint,
    OUT already_waiting bigint,
    OUT "left"        bigint,
    OUT not_waiting   bigint,
    OUT waitlist_closed bigint,
    OUT errors        bigint,
    OUT lock_waits    bigint,
    OUT lock_wait_ms  double precision,
    OUT skips         bigint)
RETURNS SETOF record
LANGUAGE plproxy SECURITY DEFINER
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
       pg_catalog.sum(s.quota_exhausted)::bigint AS quota_exhausted,
       pg_catalog.sum(s.cart_not_found)::bigint AS cart_not_found,
       pg_catalog.sum(s.cart_expired)::bigint AS cart_expired,
       pg_catalog.sum(s.cart_closed)::bigint AS cart_closed,
       pg_catalog.sum(s.empty_cart)::bigint AS empty_cart,
       pg_catalog.sum(s.opened)::bigint AS opened,
       pg_catalog.sum(s.extended)::bigint AS extended,
       pg_catalog.sum(s.capped)::bigint AS capped,
       pg_catalog.sum(s.admitted)::bigint AS admitted,
       pg_catalog.sum(s.already_admitted)::bigint AS already_admitted,
       pg_catalog.sum(s.not_sold)::bigint AS not_sold,
       pg_catalog.sum(s.unknown_code)::bigint AS unknown_code,
       pg_catalog.sum(s.wrong_event)::bigint AS wrong_event,
       pg_catalog.sum(s.revoked)::bigint AS revoked,
       pg_catalog.sum(s.transferred)::bigint AS transferred,
       pg_catalog.sum(s.joined)::bigint AS joined,
       pg_catalog.sum(s.offered)::bigint AS offered,
       pg_catalog.sum(s.already_waiting)::bigint AS already_waiting,
       pg_catalog.sum(s."left")::bigint AS "left",
       pg_catalog.sum(s.not_waiting)::bigint AS not_waiting,
       pg_catalog.sum(s.waitlist_closed)::bigint AS waitlist_closed,
       pg_catalog.sum(s.errors)::bigint AS errors,
       pg_catalog.sum(s.lock_waits)::bigint AS lock_waits,
       pg_catalog.sum(s.lock_wait_ms) AS lock_wait_ms,
       pg_catalog.sum(s.skips)::bigint AS skips
  FROM ticketing.stats_on_shards() s
 GROUP BY s.event_id;

CREATE FUNCTION ticketing.reset_stats_on_shards()
RETURNS SETOF integer
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ALL;
    SELECT 1 FROM ticketing.reset_stats();
$$;

CREATE FUNCTION ticketing.reset_stats()
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.count(*) FROM ticketing.reset_stats_on_shards() $$;

-------------------------------------------------------------------------------
-- Check-in and transfer (issue 19): each call runs on the shard of its event, with the
-- core's checks of its arguments on the router first (in the core's order and words:
-- run_check_in(), validate_scans(), run_transfer_ticket() and run_ticket_codes()).
-- A code is checked on the shard only: anything that is not a code of that shard is
-- the outcome unknown_code there, not an error. rotate_code_secret() is not routed: each
-- shard has its own secret, rotated there by a superuser.
-------------------------------------------------------------------------------

-- A gate: 1 to 100 bytes, not NULL (require_gate() in src/core/admission_rules.cpp).
CREATE FUNCTION ticketing.check_gate(argument text, gate text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF gate IS NULL THEN
        RAISE EXCEPTION '% must not be NULL', argument USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF gate = '' OR octet_length(gate) > 100 THEN
        RAISE EXCEPTION '% must be 1 to 100 bytes long, got %', argument, octet_length(gate)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Name the gate or scanner, for example ''north-2''.';
    END IF;
END
$$;

CREATE FUNCTION ticketing.check_check_in(event_id bigint, code text, gate text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM ticketing.check_id('event_id', event_id);
    IF code IS NULL THEN
        RAISE EXCEPTION 'code must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Pass the code as scanned; anything that is not a code answers unknown_code.';
    END IF;
    PERFORM ticketing.check_gate('gate', gate);
END
$$;

-- check_in_batch's scans: 1 to 1000, one dimension, each with a code, a gate and a time
-- at most a day ahead of the clock (the router's here; the shard checks its own again).
CREATE FUNCTION ticketing.check_scans(event_id bigint, scans ticketing.scan[])
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    i integer;
    scan ticketing.scan;
BEGIN
    PERFORM ticketing.check_id('event_id', event_id);
    IF scans IS NULL THEN
        RAISE EXCEPTION 'scans must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF array_ndims(scans) > 1 THEN
        RAISE EXCEPTION 'scans must be a one-dimensional array'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF coalesce(cardinality(scans), 0) < 1 OR cardinality(scans) > 1000 THEN
        RAISE EXCEPTION 'a batch holds 1 to 1000 scans, got %', coalesce(cardinality(scans), 0)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Upload a longer list in several calls.';
    END IF;
    FOR i IN 1 .. cardinality(scans) LOOP
        scan := scans[array_lower(scans, 1) + i - 1];
        IF scan IS NULL THEN
            RAISE EXCEPTION 'scans[%] must not be NULL', i USING ERRCODE = 'null_value_not_allowed';
        END IF;
        IF scan.code IS NULL THEN
            RAISE EXCEPTION 'scans[%].code must not be NULL', i
                USING ERRCODE = 'null_value_not_allowed';
        END IF;
        PERFORM ticketing.check_gate(format('scans[%s].gate', i), scan.gate);
        IF scan.scanned_at IS NULL THEN
            RAISE EXCEPTION 'scans[%].scanned_at must not be NULL', i
                USING ERRCODE = 'null_value_not_allowed',
                      HINT = 'Pass the time the gate scanned the code.';
        END IF;
        IF NOT isfinite(scan.scanned_at) OR scan.scanned_at > now() + interval '1 day' THEN
            RAISE EXCEPTION 'scans[%].scanned_at must be a finite time at most a day ahead of the server''s clock', i
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Check the gate''s clock.';
        END IF;
    END LOOP;
END
$$;

CREATE FUNCTION ticketing.check_transfer(event_id bigint, ticket_id bigint,
                                         from_customer text, to_customer text,
                                         idempotency_key text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM ticketing.check_id('event_id', event_id);
    PERFORM ticketing.check_id('ticket_id', ticket_id);
    PERFORM ticketing.check_customer('from_customer', from_customer);
    PERFORM ticketing.check_customer('to_customer', to_customer);
    IF from_customer = to_customer THEN
        RAISE EXCEPTION 'to_customer must differ from from_customer'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'A ticket is transferred to another customer; the owner keeps it otherwise.';
    END IF;
    PERFORM ticketing.check_key('idempotency_key', idempotency_key);
END
$$;

CREATE FUNCTION ticketing.route_check_in(event_id bigint, code text, gate text)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF ticketing.suspect_id(event_id) OR code IS NULL OR gate IS NULL
       OR pg_catalog.octet_length(gate) OPERATOR(pg_catalog.=) 0
       OR pg_catalog.octet_length(gate) OPERATOR(pg_catalog.>) 100 THEN
        PERFORM ticketing.check_check_in(event_id, code, gate);
    END IF;
    RETURN pg_catalog.hashint8(event_id);
END
$$;

-- The scans are checked on every call (a batch is worth it: one loop over at most 1000).
CREATE FUNCTION ticketing.route_check_in_batch(event_id bigint, scans ticketing.scan[])
RETURNS integer
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
BEGIN
    PERFORM ticketing.check_scans(event_id, scans);
    RETURN pg_catalog.hashint8(event_id);
END
$$;

CREATE FUNCTION ticketing.route_transfer_ticket(event_id bigint, ticket_id bigint,
                                                from_customer text, to_customer text,
                                                idempotency_key text)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF ticketing.suspect_id(event_id) OR ticketing.suspect_id(ticket_id)
       OR ticketing.suspect_text(from_customer) OR ticketing.suspect_text(to_customer)
       OR from_customer OPERATOR(pg_catalog.=) to_customer
       OR ticketing.suspect_key(idempotency_key) THEN
        PERFORM ticketing.check_transfer(event_id, ticket_id, from_customer, to_customer,
                                         idempotency_key);
    END IF;
    RETURN pg_catalog.hashint8(event_id);
END
$$;

CREATE FUNCTION ticketing.route_ticket_codes(event_id bigint, customer text)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF ticketing.suspect_id(event_id) OR ticketing.suspect_text(customer) THEN
        PERFORM ticketing.check_id('event_id', event_id);
        PERFORM ticketing.check_customer('customer', customer);
    END IF;
    RETURN pg_catalog.hashint8(event_id);
END
$$;

CREATE FUNCTION ticketing.check_in(event_id bigint, code text, gate text)
RETURNS ticketing.check_in_result
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_check_in(event_id, code, gate);
    SELECT r.outcome, r.ticket_id, r.seat, r.gate, r.admitted_at
      FROM ticketing.check_in(event_id, code, gate) AS r;
$$;

-- The scans travel as text and are cast to ticketing.scan[] on the shard.
CREATE FUNCTION ticketing.check_in_batch(event_id bigint, scans ticketing.scan[])
RETURNS SETOF ticketing.scan_result
LANGUAGE plproxy SECURITY DEFINER
ROWS 100
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_check_in_batch(event_id, scans);
    SELECT r.scan_no, r.outcome, r.ticket_id, r.gate, r.admitted_at
      FROM ticketing.check_in_batch(event_id, scans) AS r;
$$;

CREATE FUNCTION ticketing.transfer_ticket(event_id bigint, ticket_id bigint,
                                          from_customer text, to_customer text,
                                          idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result
LANGUAGE plproxy SECURITY DEFINER
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_transfer_ticket(event_id, ticket_id, from_customer, to_customer,
                                           idempotency_key);
    SELECT r.outcome, r.event_id, r.ticket_id, r.seat, r.owner_is_you, r.at, r.hold_expires_at, r.quota, r.code
      FROM ticketing.transfer_ticket(event_id, ticket_id, from_customer, to_customer,
                                     idempotency_key) AS r;
$$;

CREATE FUNCTION ticketing.ticket_codes(event_id bigint, customer text)
RETURNS SETOF ticketing.ticket_code
LANGUAGE plproxy SECURITY DEFINER
ROWS 10
AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_ticket_codes(event_id, customer);
    SELECT r.ticket_id, r.seat, r.code FROM ticketing.ticket_codes(event_id, customer) AS r;
$$;

-------------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC but route() (shard_of() runs it as its caller). An
-- application role needs USAGE on the schema and EXECUTE on the calls; a role that
-- administers, EXECUTE on the administrative functions (and, for the stats view, SELECT
-- on it and EXECUTE on stats_on_shards). No role but the owner needs anything on the
-- server ticketing_shards (docs/scale-out.md, "Privileges").
-------------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA ticketing FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA ticketing FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ticketing FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ticketing.route(bigint) TO PUBLIC;
