-- Variants of the routed claim_ticket, for bench/scaleout.sh to measure against the one
-- ticketing_router ships (a custom remote SELECT naming the result's columns, the
-- arguments checked on the router by ticketing.route_claim_ticket() without a SET clause,
-- SECURITY DEFINER). Created on a
-- benchmark router only; same arguments and result as claim_ticket, SECURITY DEFINER too.

-- PL/Proxy's default remote query: `select outcome::text, event_id::int8, ... from
-- ticketing.claim_ticket($1::int8, ...)`, every result column cast.
CREATE FUNCTION ticketing.v_default_query(event_id bigint, ticket_id bigint, customer text,
                                          wait text DEFAULT 'wait', idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result LANGUAGE plproxy SECURITY DEFINER AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    TARGET ticketing.claim_ticket;
$$;

-- The shipped function with 1.2's remote `SELECT *` instead of the named columns (which
-- fail cleanly on a shard of another version: docs/scale-out.md, "Updating the router").
CREATE FUNCTION ticketing.v_select_star(event_id bigint, ticket_id bigint, customer text,
                                        wait text DEFAULT 'wait', idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result LANGUAGE plproxy SECURITY DEFINER AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_claim_ticket(event_id, ticket_id, customer, wait, idempotency_key);
    SELECT * FROM ticketing.claim_ticket(event_id, ticket_id, customer, wait, idempotency_key);
$$;

-- 1.2's route: the NULL check only, no other check of the arguments on the router.
CREATE FUNCTION ticketing.v_unchecked(event_id bigint, ticket_id bigint, customer text,
                                      wait text DEFAULT 'wait', idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result LANGUAGE plproxy SECURITY DEFINER AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(event_id);
    SELECT * FROM ticketing.claim_ticket(event_id, ticket_id, customer, wait, idempotency_key);
$$;

-- The NULL check in a function with `SET search_path` (saved and restored on every call).
CREATE FUNCTION ticketing.route_with_set(event_id bigint) RETURNS integer
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF event_id IS NULL THEN
        RAISE EXCEPTION 'event_id must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    RETURN pg_catalog.hashint8(event_id);
END
$$;
GRANT EXECUTE ON FUNCTION ticketing.route_with_set(bigint) TO PUBLIC;

CREATE FUNCTION ticketing.v_route_with_set(event_id bigint, ticket_id bigint, customer text,
                                           wait text DEFAULT 'wait', idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result LANGUAGE plproxy SECURITY DEFINER AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route_with_set(event_id);
    SELECT * FROM ticketing.claim_ticket(event_id, ticket_id, customer, wait, idempotency_key);
$$;

-- hashint8 itself: no NULL check (a NULL event id would be PL/Proxy's XX000).
CREATE FUNCTION ticketing.v_bare_hash(event_id bigint, ticket_id bigint, customer text,
                                      wait text DEFAULT 'wait', idempotency_key text DEFAULT NULL)
RETURNS ticketing.ticket_result LANGUAGE plproxy SECURITY DEFINER AS $$
    CLUSTER 'ticketing_shards';
    RUN ON hashint8(event_id);
    SELECT * FROM ticketing.claim_ticket(event_id, ticket_id, customer, wait, idempotency_key);
$$;

-- The floor: the same route and answer shape, no claim (a constant row from the shard).
CREATE FUNCTION ticketing.v_no_claim(e bigint, t bigint, c text, wait text DEFAULT 'wait',
                                     k text DEFAULT NULL)
RETURNS ticketing.ticket_result LANGUAGE plproxy SECURITY DEFINER AS $$
    CLUSTER 'ticketing_shards';
    RUN ON ticketing.route(e);
    SELECT 'already_sold'::text AS outcome, e AS event_id, t AS ticket_id, NULL::text AS seat,
           false AS owner_is_you, NULL::timestamptz AS at, NULL::timestamptz AS hold_expires_at,
           NULL::text AS quota, NULL::text AS code;
$$;
