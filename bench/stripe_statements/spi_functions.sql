-- bench/stripe_statements.sh's spi_* scripts: the same statements run through SPI, as the
-- extension's kept plans are (PL/pgSQL plans once per backend and keeps the plan), so no
-- statement pays a client round trip. $1 event, $2 and $3 quotas (both cover the tickets),
-- $4 the client's start stripe, $5 the ticket, $6 the customer. Loaded into the
-- benchmark's throwaway cluster only.
CREATE SCHEMA bench_spi;
-- The advisory variant's stand-in for a stripe lock: taken for the transaction, skipped
-- when another holds it (evaluated last: COST).
CREATE FUNCTION bench_spi.try_stripe_lock(integer, integer) RETURNS boolean
    LANGUAGE internal VOLATILE STRICT COST 1000 AS 'pg_try_advisory_xact_lock_int4';

-- the sale alone
CREATE FUNCTION bench_spi.sale(e bigint, q1 bigint, q2 bigint, s integer, ticket bigint, c text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE got integer; stripe integer; after integer; before integer; at timestamptz;
BEGIN
    WITH changed AS (UPDATE ticketing.tickets t SET status = 'sold', owner = c, hold_expires_at = NULL,
                            updated_at = pg_catalog.now()
                      WHERE t.event_id OPERATOR(pg_catalog.=) e AND t.ticket_id OPERATOR(pg_catalog.=) ticket AND t.status OPERATOR(pg_catalog.=) 'available'
                     RETURNING t.event_id, t.ticket_id, t.updated_at),
         audited AS (INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, at)
                     SELECT ch.event_id, ch.ticket_id, 'available', 'sold', c, ch.updated_at FROM changed ch
                     RETURNING 1)
    SELECT ch.updated_at INTO at FROM changed ch;
END
$$;

-- a take of one quota (take_units' shape), then the sale
CREATE FUNCTION bench_spi.take(e bigint, q1 bigint, q2 bigint, s integer, ticket bigint, c text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE got integer; stripe integer; after integer; before integer; at timestamptz;
BEGIN
    WITH x AS (SELECT x.remaining, x.stripe FROM ticketing.quota_stripes x
                WHERE x.event_id OPERATOR(pg_catalog.=) e AND x.quota_id OPERATOR(pg_catalog.=) q1 AND x.remaining OPERATOR(pg_catalog.>) 0
                  AND x.stripe OPERATOR(pg_catalog.>=) s
                ORDER BY x.stripe LIMIT 1 FOR NO KEY UPDATE OF x SKIP LOCKED)
    UPDATE ticketing.quota_stripes y SET remaining = y.remaining OPERATOR(pg_catalog.-) LEAST(x.remaining, 1, y.remaining)
      FROM x WHERE y.event_id OPERATOR(pg_catalog.=) e AND y.quota_id OPERATOR(pg_catalog.=) q1 AND y.stripe OPERATOR(pg_catalog.=) x.stripe
    RETURNING LEAST(x.remaining, 1), x.stripe, y.remaining, x.remaining INTO got, stripe, after, before;
    WITH changed AS (UPDATE ticketing.tickets t SET status = 'sold', owner = c, hold_expires_at = NULL,
                            updated_at = pg_catalog.now()
                      WHERE t.event_id OPERATOR(pg_catalog.=) e AND t.ticket_id OPERATOR(pg_catalog.=) ticket AND t.status OPERATOR(pg_catalog.=) 'available'
                     RETURNING t.event_id, t.ticket_id, t.updated_at),
         audited AS (INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, at)
                     SELECT ch.event_id, ch.ticket_id, 'available', 'sold', c, ch.updated_at FROM changed ch
                     RETURNING 1)
    SELECT ch.updated_at INTO at FROM changed ch;
END
$$;

-- a take of each of two quotas, one statement each, then the sale
CREATE FUNCTION bench_spi.take2(e bigint, q1 bigint, q2 bigint, s integer, ticket bigint, c text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE got integer; stripe integer; after integer; before integer; at timestamptz;
BEGIN
    WITH x AS (SELECT x.remaining, x.stripe FROM ticketing.quota_stripes x
                WHERE x.event_id OPERATOR(pg_catalog.=) e AND x.quota_id OPERATOR(pg_catalog.=) q1 AND x.remaining OPERATOR(pg_catalog.>) 0
                  AND x.stripe OPERATOR(pg_catalog.>=) s
                ORDER BY x.stripe LIMIT 1 FOR NO KEY UPDATE OF x SKIP LOCKED)
    UPDATE ticketing.quota_stripes y SET remaining = y.remaining OPERATOR(pg_catalog.-) LEAST(x.remaining, 1, y.remaining)
      FROM x WHERE y.event_id OPERATOR(pg_catalog.=) e AND y.quota_id OPERATOR(pg_catalog.=) q1 AND y.stripe OPERATOR(pg_catalog.=) x.stripe
    RETURNING LEAST(x.remaining, 1), x.stripe, y.remaining, x.remaining INTO got, stripe, after, before;
    WITH x AS (SELECT x.remaining, x.stripe FROM ticketing.quota_stripes x
                WHERE x.event_id OPERATOR(pg_catalog.=) e AND x.quota_id OPERATOR(pg_catalog.=) q2 AND x.remaining OPERATOR(pg_catalog.>) 0
                  AND x.stripe OPERATOR(pg_catalog.>=) s
                ORDER BY x.stripe LIMIT 1 FOR NO KEY UPDATE OF x SKIP LOCKED)
    UPDATE ticketing.quota_stripes y SET remaining = y.remaining OPERATOR(pg_catalog.-) LEAST(x.remaining, 1, y.remaining)
      FROM x WHERE y.event_id OPERATOR(pg_catalog.=) e AND y.quota_id OPERATOR(pg_catalog.=) q2 AND y.stripe OPERATOR(pg_catalog.=) x.stripe
    RETURNING LEAST(x.remaining, 1), x.stripe, y.remaining, x.remaining INTO got, stripe, after, before;
    WITH changed AS (UPDATE ticketing.tickets t SET status = 'sold', owner = c, hold_expires_at = NULL,
                            updated_at = pg_catalog.now()
                      WHERE t.event_id OPERATOR(pg_catalog.=) e AND t.ticket_id OPERATOR(pg_catalog.=) ticket AND t.status OPERATOR(pg_catalog.=) 'available'
                     RETURNING t.event_id, t.ticket_id, t.updated_at),
         audited AS (INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, at)
                     SELECT ch.event_id, ch.ticket_id, 'available', 'sold', c, ch.updated_at FROM changed ch
                     RETURNING 1)
    SELECT ch.updated_at INTO at FROM changed ch;
END
$$;

-- a take of both quotas in one statement, then the sale
CREATE FUNCTION bench_spi.take2_one_statement(e bigint, q1 bigint, q2 bigint, s integer, ticket bigint, c text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE got integer; stripe integer; after integer; before integer; at timestamptz;
BEGIN
    WITH x1 AS (SELECT x.remaining, x.stripe FROM ticketing.quota_stripes x
                 WHERE x.event_id OPERATOR(pg_catalog.=) e AND x.quota_id OPERATOR(pg_catalog.=) q1 AND x.remaining OPERATOR(pg_catalog.>) 0
                   AND x.stripe OPERATOR(pg_catalog.>=) s
                 ORDER BY x.stripe LIMIT 1 FOR NO KEY UPDATE OF x SKIP LOCKED),
         x2 AS (SELECT x.remaining, x.stripe FROM ticketing.quota_stripes x
                 WHERE x.event_id OPERATOR(pg_catalog.=) e AND x.quota_id OPERATOR(pg_catalog.=) q2 AND x.remaining OPERATOR(pg_catalog.>) 0
                   AND x.stripe OPERATOR(pg_catalog.>=) s
                 ORDER BY x.stripe LIMIT 1 FOR NO KEY UPDATE OF x SKIP LOCKED),
         x AS (SELECT q1 AS quota_id, x1.remaining, x1.stripe FROM x1
               UNION ALL SELECT q2, x2.remaining, x2.stripe FROM x2),
         taken AS (UPDATE ticketing.quota_stripes y SET remaining = y.remaining OPERATOR(pg_catalog.-) LEAST(x.remaining, 1, y.remaining)
                     FROM x WHERE y.event_id OPERATOR(pg_catalog.=) e AND y.quota_id OPERATOR(pg_catalog.=) x.quota_id AND y.stripe OPERATOR(pg_catalog.=) x.stripe
                   RETURNING LEAST(x.remaining, 1) AS got)
    SELECT pg_catalog.sum(taken.got) INTO got FROM taken;
    WITH changed AS (UPDATE ticketing.tickets t SET status = 'sold', owner = c, hold_expires_at = NULL,
                            updated_at = pg_catalog.now()
                      WHERE t.event_id OPERATOR(pg_catalog.=) e AND t.ticket_id OPERATOR(pg_catalog.=) ticket AND t.status OPERATOR(pg_catalog.=) 'available'
                     RETURNING t.event_id, t.ticket_id, t.updated_at),
         audited AS (INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, at)
                     SELECT ch.event_id, ch.ticket_id, 'available', 'sold', c, ch.updated_at FROM changed ch
                     RETURNING 1)
    SELECT ch.updated_at INTO at FROM changed ch;
END
$$;

-- a take that skips stripes by an advisory try-lock instead of a row lock, then the sale
CREATE FUNCTION bench_spi.take_advisory(e bigint, q1 bigint, q2 bigint, s integer, ticket bigint, c text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE got integer; stripe integer; after integer; before integer; at timestamptz;
BEGIN
    WITH x AS (SELECT x.remaining, x.stripe FROM ticketing.quota_stripes x
                WHERE x.event_id OPERATOR(pg_catalog.=) e AND x.quota_id OPERATOR(pg_catalog.=) q1 AND x.remaining OPERATOR(pg_catalog.>) 0
                  AND x.stripe OPERATOR(pg_catalog.>=) s AND bench_spi.try_stripe_lock(q1::int4, x.stripe)
                ORDER BY x.stripe LIMIT 1),
         taken AS (UPDATE ticketing.quota_stripes y SET remaining = y.remaining OPERATOR(pg_catalog.-) LEAST(x.remaining, 1)
                     FROM x WHERE y.event_id OPERATOR(pg_catalog.=) e AND y.quota_id OPERATOR(pg_catalog.=) q1 AND y.stripe OPERATOR(pg_catalog.=) x.stripe
                      AND y.remaining OPERATOR(pg_catalog.>=) LEAST(x.remaining, 1)
                   RETURNING y.remaining)
    SELECT LEAST(x.remaining, 1), x.stripe, taken.remaining INTO got, stripe, after FROM x LEFT JOIN taken ON true;
    WITH changed AS (UPDATE ticketing.tickets t SET status = 'sold', owner = c, hold_expires_at = NULL,
                            updated_at = pg_catalog.now()
                      WHERE t.event_id OPERATOR(pg_catalog.=) e AND t.ticket_id OPERATOR(pg_catalog.=) ticket AND t.status OPERATOR(pg_catalog.=) 'available'
                     RETURNING t.event_id, t.ticket_id, t.updated_at),
         audited AS (INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, at)
                     SELECT ch.event_id, ch.ticket_id, 'available', 'sold', c, ch.updated_at FROM changed ch
                     RETURNING 1)
    SELECT ch.updated_at INTO at FROM changed ch;
END
$$;

-- the same for two quotas
CREATE FUNCTION bench_spi.take2_advisory(e bigint, q1 bigint, q2 bigint, s integer, ticket bigint, c text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE got integer; stripe integer; after integer; before integer; at timestamptz;
BEGIN
    WITH x AS (SELECT x.remaining, x.stripe FROM ticketing.quota_stripes x
                WHERE x.event_id OPERATOR(pg_catalog.=) e AND x.quota_id OPERATOR(pg_catalog.=) q1 AND x.remaining OPERATOR(pg_catalog.>) 0
                  AND x.stripe OPERATOR(pg_catalog.>=) s AND bench_spi.try_stripe_lock(q1::int4, x.stripe)
                ORDER BY x.stripe LIMIT 1),
         taken AS (UPDATE ticketing.quota_stripes y SET remaining = y.remaining OPERATOR(pg_catalog.-) LEAST(x.remaining, 1)
                     FROM x WHERE y.event_id OPERATOR(pg_catalog.=) e AND y.quota_id OPERATOR(pg_catalog.=) q1 AND y.stripe OPERATOR(pg_catalog.=) x.stripe
                      AND y.remaining OPERATOR(pg_catalog.>=) LEAST(x.remaining, 1)
                   RETURNING y.remaining)
    SELECT LEAST(x.remaining, 1), x.stripe, taken.remaining INTO got, stripe, after FROM x LEFT JOIN taken ON true;
    WITH x AS (SELECT x.remaining, x.stripe FROM ticketing.quota_stripes x
                WHERE x.event_id OPERATOR(pg_catalog.=) e AND x.quota_id OPERATOR(pg_catalog.=) q2 AND x.remaining OPERATOR(pg_catalog.>) 0
                  AND x.stripe OPERATOR(pg_catalog.>=) s AND bench_spi.try_stripe_lock(q2::int4, x.stripe)
                ORDER BY x.stripe LIMIT 1),
         taken AS (UPDATE ticketing.quota_stripes y SET remaining = y.remaining OPERATOR(pg_catalog.-) LEAST(x.remaining, 1)
                     FROM x WHERE y.event_id OPERATOR(pg_catalog.=) e AND y.quota_id OPERATOR(pg_catalog.=) q2 AND y.stripe OPERATOR(pg_catalog.=) x.stripe
                      AND y.remaining OPERATOR(pg_catalog.>=) LEAST(x.remaining, 1)
                   RETURNING y.remaining)
    SELECT LEAST(x.remaining, 1), x.stripe, taken.remaining INTO got, stripe, after FROM x LEFT JOIN taken ON true;
    WITH changed AS (UPDATE ticketing.tickets t SET status = 'sold', owner = c, hold_expires_at = NULL,
                            updated_at = pg_catalog.now()
                      WHERE t.event_id OPERATOR(pg_catalog.=) e AND t.ticket_id OPERATOR(pg_catalog.=) ticket AND t.status OPERATOR(pg_catalog.=) 'available'
                     RETURNING t.event_id, t.ticket_id, t.updated_at),
         audited AS (INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, at)
                     SELECT ch.event_id, ch.ticket_id, 'available', 'sold', c, ch.updated_at FROM changed ch
                     RETURNING 1)
    SELECT ch.updated_at INTO at FROM changed ch;
END
$$;
