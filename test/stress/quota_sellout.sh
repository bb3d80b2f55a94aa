#!/usr/bin/env bash
# A sell-out where quotas, not seats, are the binding limit (issue 18): 100,000 tickets in
# three categories (A, B, C) under two overlapping quotas (AB: A and B, 3,000 units; BC: B
# and C, 2,000 units in 256 stripes, so that most of its stripes run out early and claims
# spread units between them), sold by 64 pgbench clients through claim_any (a random category,
# sometimes into a cart), claim_ticket and hold_ticket of random tickets, claim_batch
# with category requests, carts that are opened, filled and checked out or abandoned, and
# releases. Every answer is recorded in the statement that made the call, so it commits
# with what it did. Then, with holds expired:
#   - no quota ever held or sold more than its size (verify(): quota_exceeded, and the
#     units left in every quota's stripes equal its size less what is not available);
#   - the quotas were the binding limit: each refused a sale of the category only it
#     covers (quota_exhausted for A and for C) while tens of thousands of seats were left;
#   - every claimed or hold_placed answer names a ticket the audit log shows going to that
#     customer at that step, and every sale in the audit log was answered;
#   - verify() reports nothing at all (no ticket sold twice, the audit chain intact).
# At every isolation level (QUOTA_LEVELS, comma-separated: read committed, repeatable
# read, serializable), each on a fresh event: under REPEATABLE READ and SERIALIZABLE
# pgbench retries a call that failed with 40001 (--max-tries=100), as an application
# must; under READ COMMITTED nothing is retried, and a deadlock fails the run.
#
# usage: test/stress/quota_sellout.sh   (TICKETS=100000 CLIENTS=64 QUOTA_SECONDS=8 QUOTA_ROUNDS=8)
# Prints a PASS/FAIL line per level and ends with "quotasellout: N passed, M failed".
set -uo pipefail

TICKETS="${TICKETS:-100000}"
CLIENTS="${CLIENTS:-64}"
SECONDS_TO_RUN="${QUOTA_SECONDS:-8}"
DB="${QUOTA_SELLOUT_DB:-ticketing_quota_sellout}"
LEVELS="${QUOTA_LEVELS:-read committed,repeatable read,serializable}"
TEST=quota-sellout
# The closing line per level is "quotasellout-level: ..."; the script's own is
# "quotasellout: ..." (what scripts/server-suites.sh counts).
SUITE=quotasellout-level
source "$(dirname "${BASH_SOURCE[0]}")/event_db.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Customers c<client>-<n>: many, so no per-customer limit is in play (there is none).
cat >"$work/any.sql" <<'SQL'
\set k random(1, 3)
\set n random(1, 1000000)
INSERT INTO public.answers
SELECT 'any-' || (ARRAY['A', 'B', 'C'])[:k], r.outcome, r.ticket_ids[1], 'a' || :client_id || '-' || :n
  FROM ticketing.claim_any(1, 'a' || :client_id || '-' || :n,
                           category => (ARRAY['A', 'B', 'C'])[:k]) r;
SQL
cat >"$work/single.sql" <<SQL
\\set t random(1, $TICKETS)
\\set n random(1, 1000000)
INSERT INTO public.answers
SELECT 'single', r.outcome, r.ticket_id, 's' || :client_id || '-' || :n
  FROM ticketing.claim_ticket(1, :t, 's' || :client_id || '-' || :n, wait => 'skip') r;
SQL
cat >"$work/hold.sql" <<SQL
\\set t random(1, $TICKETS)
\\set n random(1, 1000000)
INSERT INTO public.answers
SELECT 'hold', r.outcome, r.ticket_id, 'h' || :client_id || '-' || :n
  FROM ticketing.hold_ticket(1, :t, 'h' || :client_id || '-' || :n, interval '1 second', 'skip') r;
SQL
cat >"$work/batch.sql" <<'SQL'
\set n random(1, 1000000)
INSERT INTO public.answers
SELECT 'batch', r.outcome, r.ticket_id, 'b' || :client_id || '-' || :n || '-' || r.request_no
  FROM ticketing.claim_batch(1, ARRAY[
        ROW(NULL, 'b' || :client_id || '-' || :n || '-1', NULL, 'A', NULL),
        ROW(NULL, 'b' || :client_id || '-' || :n || '-2', NULL, 'B', NULL),
        ROW(NULL, 'b' || :client_id || '-' || :n || '-3', NULL, 'C', NULL),
        ROW(NULL, 'b' || :client_id || '-' || :n || '-4', NULL, NULL, NULL)
       ]::ticketing.batch_request[]) r;
SQL
# A cart: opened, two any-seat holds into it, then checked out (or, one time in four,
# abandoned), in one transaction (public.cart_flow, made with the event).
cat >"$work/cart.sql" <<'SQL'
\set n random(1, 1000000)
\set keep random(1, 4)
SELECT public.cart_flow('k' || :client_id || '-' || :n, :keep > 1);
SQL
# A refund: one ticket a customer bought, released.
cat >"$work/release.sql" <<'SQL'
INSERT INTO public.answers
SELECT 'release', r.outcome, r.ticket_id, o.owner
  FROM (SELECT t.ticket_id, t.owner FROM ticketing.tickets t
         WHERE t.event_id = 1 AND t.status = 'sold'
         ORDER BY t.updated_at DESC LIMIT 1 OFFSET (random() * 20)::int) o,
       LATERAL ticketing.release_ticket(1, o.ticket_id, o.owner) r;
SQL
# The event, its quotas and the answers table, in a fresh database.
load_event() {
    third=$((TICKETS / 3))
    drop_db
    psql -X -q -d "$ADMIN_DB" -c "CREATE DATABASE $DB" >/dev/null || fail "could not create $DB"
    psql_db -c "CREATE EXTENSION ticketing" \
        -c "SELECT ticketing.create_event('quota sell-out', event_id => 1)" \
        -c "SELECT ticketing.add_tickets(1, $third, seat_prefix => 'A-', category => 'A')" \
        -c "SELECT ticketing.add_tickets(1, $third, seat_prefix => 'B-', category => 'B')" \
        -c "SELECT ticketing.add_tickets(1, $((TICKETS - 2 * third)), seat_prefix => 'C-', category => 'C')" \
        -c "SELECT ticketing.create_quota(1, 'AB', 3000, ARRAY['A', 'B'])" \
        -c "SELECT ticketing.create_quota(1, 'BC', 2000, ARRAY['B', 'C'], stripes => 256)" \
        -c "CREATE TABLE public.answers (via text, outcome text, ticket_id bigint, customer text)" \
        -c "CREATE FUNCTION public.cart_flow(who text, keep boolean) RETURNS void LANGUAGE plpgsql AS \$f\$
            DECLARE cart text;
            BEGIN
                SELECT token INTO cart FROM ticketing.open_cart(1, who);
                INSERT INTO public.answers SELECT 'cart-hold', r.outcome, r.ticket_ids[1], who
                  FROM ticketing.claim_any(1, who, category => 'B', cart => cart) r;
                INSERT INTO public.answers SELECT 'cart-hold', r.outcome, r.ticket_ids[1], who
                  FROM ticketing.claim_any(1, who, category => 'C', cart => cart) r;
                IF keep THEN
                    INSERT INTO public.answers SELECT 'checkout', r.outcome, t.id, who
                      FROM ticketing.checkout_cart(1, cart, who) r
                      LEFT JOIN LATERAL pg_catalog.unnest(r.ticket_ids) AS t(id) ON true;
                ELSE
                    INSERT INTO public.answers SELECT 'abandon', r.outcome, t.id, who
                      FROM ticketing.abandon_cart(1, cart, who) r
                      LEFT JOIN LATERAL pg_catalog.unnest(r.ticket_ids) AS t(id) ON true;
                END IF;
            END \$f\$" \
        -c "VACUUM ANALYZE" >/dev/null || fail "could not load the event"
}

# One sell-out at isolation level $1, in a subshell: fail and pass end it.
run_level() {
    local level=$1 tries=1
    [ "$level" = "read committed" ] || tries=100
    TEST="quota-sellout-${level// /-}"
    echo "== $level"
    load_event
    # Rounds of SECONDS_TO_RUN until each quota has refused a sale of the category only it
    # covers (A for AB, C for BC): on a slow server one round may not sell 3,000 units.
    ROUNDS="${QUOTA_ROUNDS:-8}"
    echo "quota sell-out: $TICKETS tickets (A, B, C), quotas AB 3000 and BC 2000, $CLIENTS clients," \
        "rounds of ${SECONDS_TO_RUN}s until both quotas refuse (at most $ROUNDS)"
    for round in $(seq 1 "$ROUNDS"); do
        PGOPTIONS="-c default_transaction_isolation=${level// /\\ }" \
            "$PGBENCH" -n -M simple -c "$CLIENTS" -j 2 -T "$SECONDS_TO_RUN" --max-tries="$tries" \
            --failures-detailed \
            -f "$work/any.sql@6" -f "$work/single.sql@4" -f "$work/hold.sql@2" -f "$work/batch.sql@2" \
            -f "$work/cart.sql@2" -f "$work/release.sql@1" "$DB" >"$work/out" 2>&1 ||
            { grep -E 'aborted|ERROR' "$work/out" | head -10; tail -20 "$work/out"; fail "pgbench failed"; }
        echo "round $round: $(grep -E '^(tps|number of (failed|transactions retried))' "$work/out" |
            tr '\n' ' ')"
        n=$(sed -nE 's/^number of deadlock failures: ([0-9]+).*/\1/p' "$work/out")
        [ "${n:-1}" = 0 ] || { grep -B2 -A8 "deadlock" "$work/out" | head -40; fail "${n:-?} deadlocks"; }
        bound=$(psql_db -c "SELECT count(DISTINCT via) FROM public.answers
                             WHERE outcome = 'quota_exhausted' AND via IN ('any-A', 'any-C')")
        [ "$bound" = 2 ] && break
    done
    # Every hold lapses within a second (carts within their default 15 minutes: expire them).
    psql_db -c "UPDATE ticketing.carts SET expires_at = now() - interval '1 second' WHERE status = 'open'" \
        -c "UPDATE ticketing.tickets SET hold_expires_at = now() - interval '1 second' WHERE status = 'held'" \
        -c "SELECT ticketing.expire_holds(1)" -c "ANALYZE" >/dev/null || fail "could not expire the holds"

    read -r ab_sold bc_sold exhausted remaining problems <<<"$(psql_db -F ' ' -c "
        SELECT (SELECT sold FROM ticketing.quota_summary(1) WHERE quota = 'AB'),
               (SELECT sold FROM ticketing.quota_summary(1) WHERE quota = 'BC'),
               (SELECT count(*) FROM public.answers WHERE outcome = 'quota_exhausted'),
               (SELECT count(*) FROM ticketing.tickets WHERE event_id = 1 AND status = 'available'),
               (SELECT count(*) FROM ticketing.verify(1))")"
    echo "sold under AB $ab_sold of 3000, under BC $bc_sold of 2000; quota_exhausted answers $exhausted;" \
        "seats still available $remaining; verify problems $problems"
    [ "$problems" = 0 ] || fail "verify() reports: $(psql_db -c "SELECT string_agg(problem || ': ' || detail, '; ') FROM (SELECT * FROM ticketing.verify(1) LIMIT 5) v")"
    [ "$ab_sold" -le 3000 ] && [ "$bc_sold" -le 2000 ] || fail "a quota was oversold"
    [ "$bound" = 2 ] || fail "after $ROUNDS rounds a quota had still not run out: the quotas never bound"
    [ "$remaining" -gt $((TICKETS / 2)) ] || fail "the seats, not the quotas, ran out"

    # Every answer that took a ticket against the audit log, and every sale answered.
    read -r unmatched unanswered <<<"$(psql_db -F ' ' -c "
        SELECT (SELECT count(*) FROM public.answers a
                 WHERE a.outcome IN ('claimed', 'hold_placed') AND a.ticket_id IS NOT NULL
                   AND a.via NOT IN ('checkout')
                   AND NOT EXISTS (SELECT FROM ticketing.audit_log l
                                    WHERE l.event_id = 1 AND l.ticket_id = a.ticket_id
                                      AND l.customer = a.customer
                                      AND l.to_status = CASE WHEN a.outcome = 'claimed' THEN 'sold' ELSE 'held' END)),
               (SELECT count(*) FROM ticketing.audit_log l
                 WHERE l.event_id = 1 AND l.to_status = 'sold'
                   AND NOT EXISTS (SELECT FROM public.answers a
                                    WHERE a.ticket_id = l.ticket_id AND a.customer = l.customer
                                      AND a.outcome = 'claimed'))")"
    echo "answers without their audit row: $unmatched; sales in the audit log nobody was answered: $unanswered"
    [ "$unmatched" = 0 ] || fail "$unmatched answers name a ticket the audit log does not give that customer"
    [ "$unanswered" = 0 ] || fail "$unanswered sales were never answered"
    psql_db -c "SELECT via || ': ' || string_agg(outcome || ' ' || n, ', ' ORDER BY outcome)
                  FROM (SELECT via, outcome, count(*) AS n FROM public.answers GROUP BY 1, 2) s
                 GROUP BY via ORDER BY via"
    pass
}

run_levels "$LEVELS" quotasellout
