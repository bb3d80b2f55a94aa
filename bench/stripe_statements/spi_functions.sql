-- bench/stripe_statements.sh's spi_* scripts: the statements of the extension's shapes
-- run through SPI, as the extension runs its kept plans (PL/pgSQL plans each statement
-- once per backend and keeps the plan), so no statement pays a client round trip. Every
-- function takes (e event, q1 and q2 two quotas over the event's tickets, s the client's
-- start stripe, ticket, c the customer). Loaded into the benchmark's throwaway cluster
-- only.
CREATE SCHEMA bench_spi;

-- The advisory variant's stand-in for a stripe's row lock: held to the end of the
-- transaction, and false (the stripe skipped) while another transaction holds it. COST
-- makes the planner test it after the other conditions.
CREATE FUNCTION bench_spi.try_stripe_lock(integer, integer) RETURNS boolean
    LANGUAGE internal VOLATILE STRICT COST 1000 AS 'pg_try_advisory_xact_lock_int4';

-- Each function's body is put together from the statements below, written out once;
-- the bodies are static SQL, so PL/pgSQL keeps their plans.
DO $do$
DECLARE
    -- The sale (transition_tickets' shape) with its audit row.
    sale CONSTANT text := $sql$
    WITH changed AS (UPDATE ticketing.tickets t
                        SET status = 'sold', owner = c, hold_expires_at = NULL, updated_at = now()
                      WHERE t.event_id = e AND t.ticket_id = ticket AND t.status = 'available'
                     RETURNING t.event_id, t.ticket_id, t.updated_at),
         audited AS (INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, at)
                     SELECT ch.event_id, ch.ticket_id, 'available', 'sold', c, ch.updated_at
                       FROM changed ch RETURNING 1)
    SELECT ch.updated_at INTO at FROM changed ch;
$sql$;
    -- take_units' shape: lock the first stripe from s on with units, SKIP LOCKED, and
    -- update it by key. %1$s is the quota.
    take CONSTANT text := $sql$
    WITH x AS (SELECT x.remaining, x.stripe FROM ticketing.quota_stripes x
                WHERE x.event_id = e AND x.quota_id = %1$s AND x.remaining > 0 AND x.stripe >= s
                ORDER BY x.stripe LIMIT 1 FOR NO KEY UPDATE OF x SKIP LOCKED)
    UPDATE ticketing.quota_stripes y SET remaining = y.remaining - LEAST(x.remaining, 1, y.remaining)
      FROM x WHERE y.event_id = e AND y.quota_id = %1$s AND y.stripe = x.stripe
    RETURNING LEAST(x.remaining, 1), x.stripe, y.remaining, x.remaining INTO got, stripe, after, before;
$sql$;
    -- The same stripe chosen by an advisory try-lock instead of a row lock, then a plain
    -- update by key that re-checks the units (a version committed since the snapshot may
    -- have fewer).
    take_advisory CONSTANT text := $sql$
    WITH x AS (SELECT x.remaining, x.stripe FROM ticketing.quota_stripes x
                WHERE x.event_id = e AND x.quota_id = %1$s AND x.remaining > 0 AND x.stripe >= s
                  AND bench_spi.try_stripe_lock(%1$s::integer, x.stripe)
                ORDER BY x.stripe LIMIT 1),
         taken AS (UPDATE ticketing.quota_stripes y SET remaining = y.remaining - LEAST(x.remaining, 1)
                     FROM x WHERE y.event_id = e AND y.quota_id = %1$s AND y.stripe = x.stripe
                      AND y.remaining >= LEAST(x.remaining, 1)
                   RETURNING y.remaining)
    SELECT LEAST(x.remaining, 1), x.stripe, taken.remaining INTO got, stripe, after
      FROM x LEFT JOIN taken ON true;
$sql$;
    -- A unit of each of q1 and q2 in one statement: two locking CTEs, one update of both.
    take_both CONSTANT text := $sql$
    WITH x1 AS (SELECT x.remaining, x.stripe FROM ticketing.quota_stripes x
                 WHERE x.event_id = e AND x.quota_id = q1 AND x.remaining > 0 AND x.stripe >= s
                 ORDER BY x.stripe LIMIT 1 FOR NO KEY UPDATE OF x SKIP LOCKED),
         x2 AS (SELECT x.remaining, x.stripe FROM ticketing.quota_stripes x
                 WHERE x.event_id = e AND x.quota_id = q2 AND x.remaining > 0 AND x.stripe >= s
                 ORDER BY x.stripe LIMIT 1 FOR NO KEY UPDATE OF x SKIP LOCKED),
         x AS (SELECT q1 AS quota_id, x1.remaining, x1.stripe FROM x1
               UNION ALL SELECT q2, x2.remaining, x2.stripe FROM x2),
         taken AS (UPDATE ticketing.quota_stripes y
                      SET remaining = y.remaining - LEAST(x.remaining, 1, y.remaining)
                     FROM x WHERE y.event_id = e AND y.quota_id = x.quota_id AND y.stripe = x.stripe
                   RETURNING LEAST(x.remaining, 1) AS got)
    SELECT sum(taken.got) INTO got FROM taken;
$sql$;
    body record;
BEGIN
    FOR body IN
        VALUES ('sale', sale),
               ('take', format(take, 'q1') || sale),
               ('take2', format(take, 'q1') || format(take, 'q2') || sale),
               ('take2_one_statement', take_both || sale),
               ('take_advisory', format(take_advisory, 'q1') || sale),
               ('take2_advisory', format(take_advisory, 'q1') || format(take_advisory, 'q2') || sale)
    LOOP
        EXECUTE format($f$
            CREATE FUNCTION bench_spi.%I(e bigint, q1 bigint, q2 bigint, s integer, ticket bigint, c text)
            RETURNS void LANGUAGE plpgsql AS $body$
            DECLARE got integer; stripe integer; after integer; before integer; at timestamptz;
            BEGIN %s END
            $body$
            $f$, body.column1, body.column2);
    END LOOP;
END
$do$;
