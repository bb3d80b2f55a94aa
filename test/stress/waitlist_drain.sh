#!/usr/bin/env bash
# The waiting list under load (issue 19), at every isolation level. A sold-out event of
# 100,000 tickets in two categories (A, B) with 10,000 waiting entries (1 to 3 tickets,
# category A, B or any). 64 pgbench clients then refund sold tickets, join, confirm or
# decline their offers, leave, let offers lapse (the clock moved on for a random offer)
# and run expire_holds(), while outsiders try to buy with claim_any, claim_batch and
# claim_ticket in every wait mode. Then, with every lapsed hold returned:
#   - the order of the list held: no entry was offered tickets while an earlier entry
#     that those tickets fit (category, quantity) was still waiting -- each offer is
#     ordered by its audit rows, and an earlier entry that fits must have been offered
#     first (entries that left are not judged: they may have left before the offer);
#   - nothing free fits a waiting entry (every freed ticket that fits was offered);
#   - no ticket is held or sold twice, and verify() reports nothing;
#   - the list drained: offers were made and accepted; no deadlock.
#
# WAITLIST_QUOTAS=1 (a second run of the test command, suite "waitlistquotas") puts the
# categories under two quotas before the sell-out (A: 80% of A's seats; A and B: 85% of
# all), so a tenth of the seats stay free that no quota has room for, and judges what is
# on sale by the quotas too. Before 2026-12-07 (4b33acc) it failed: offers went past
# earlier entries they fitted (a walk after a refund of B read only B's entries, though
# the unit it gave back to the shared quota put A tickets on sale), and walks ran at 3.8
# transactions/s under READ COMMITTED, trying each entry of a category whose quota's
# stripes other claims held locked. Now: 274, 94 and 60 transactions/s at the three levels.
#
# usage: test/stress/waitlist_drain.sh   (TICKETS=100000 ENTRIES=10000 CLIENTS=64
#        WAITLIST_SECONDS=10 WAITLIST_LEVELS="read committed,repeatable read,serializable"
#        WAITLIST_QUOTAS=0)
# Prints a PASS or FAIL line per isolation level and ends with
# "waitlist: N passed, M failed" ("waitlistquotas: ..." with quotas).
set -uo pipefail

TICKETS="${TICKETS:-100000}"
ENTRIES="${ENTRIES:-10000}"
CLIENTS="${CLIENTS:-64}"
SECONDS_TO_RUN="${WAITLIST_SECONDS:-10}"
LEVELS="${WAITLIST_LEVELS:-read committed,repeatable read,serializable}"
DB="${WAITLIST_DB:-ticketing_waitlist_drain}"
QUOTAS="${WAITLIST_QUOTAS:-0}"
SUITE=waitlist
[ "$QUOTAS" = 1 ] && SUITE=waitlistquotas
TEST=waitlist-setup
source "$(dirname "${BASH_SOURCE[0]}")/event_db.sh"

passed=0
failed=0
# One run's failure: its FAIL line, then on to the next level.
run_failed() {
    echo "FAIL $TEST: $*"
    failed=$((failed + 1))
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Refund a random sold ticket (by its owner). With quotas the seats A's quota left
# unsold (the last fifth of A) and the last 15% (B's) are passed by, so that refunds
# do not all meet on the first sold ticket after them.
refund_pick="\\set t random(1, $TICKETS)"
if [ "$QUOTAS" = 1 ]; then
    refund_pick="\\set t random(1, $((TICKETS * 85 / 100)))
\\set t case when :t > $((TICKETS * 2 / 5)) then :t + $((TICKETS / 10)) else :t end"
fi
cat >"$work/refund.sql" <<SQL
$refund_pick
SELECT r.outcome FROM ticketing.tickets t,
       LATERAL ticketing.release_ticket(1, t.ticket_id, t.owner) r
 WHERE t.event_id = 1 AND t.ticket_id >= :t AND t.status = 'sold' ORDER BY t.ticket_id LIMIT 1;
SQL
# A new customer joins: 1 to 3 tickets, of category A, B or any.
cat >"$work/join.sql" <<'SQL'
\set n random(1, 1000000000)
\set q random(1, 3)
\set c random(1, 3)
SELECT outcome FROM ticketing.join_waitlist(1, 'late-' || :client_id || '-' || :n, :q,
                                            (ARRAY['A', 'B', NULL])[:c]);
SQL
# A waiter confirms (or, one time in four, declines) every ticket of an open offer.
cat >"$work/answer.sql" <<'SQL'
\set e random(1, 1000000000)
\set decline random(1, 4)
SELECT CASE WHEN :decline = 1 THEN (ticketing.release_hold(1, t.ticket_id, o.customer)).outcome
            ELSE (ticketing.confirm_hold(1, t.ticket_id, o.customer)).outcome END
  FROM (SELECT w.customer, w.offered_ticket_ids FROM ticketing.waitlist_entries w
         WHERE w.event_id = 1 AND w.status = 'offered' AND w.entry_id >= :e % (SELECT pg_catalog.max(entry_id) + 1 FROM ticketing.waitlist_entries)
         ORDER BY w.entry_id LIMIT 1) o,
       LATERAL pg_catalog.unnest(o.offered_ticket_ids) AS t(ticket_id);
SQL
# A waiter leaves.
cat >"$work/leave.sql" <<'SQL'
\set e random(1, 1000000000)
SELECT (ticketing.leave_waitlist(1, w.customer)).outcome FROM ticketing.waitlist_entries w
 WHERE w.event_id = 1 AND w.status = 'waiting' AND w.entry_id >= :e % (SELECT pg_catalog.max(entry_id) + 1 FROM ticketing.waitlist_entries)
 ORDER BY w.entry_id LIMIT 1;
SQL
# Time passes for one open offer (its holds lapse), and expire_holds() runs.
cat >"$work/lapse.sql" <<'SQL'
\set e random(1, 1000000000)
UPDATE ticketing.tickets t SET hold_expires_at = pg_catalog.now() - interval '1 second'
  FROM (SELECT w.offered_ticket_ids, w.customer FROM ticketing.waitlist_entries w
         WHERE w.event_id = 1 AND w.status = 'offered' AND w.entry_id >= :e % (SELECT pg_catalog.max(entry_id) + 1 FROM ticketing.waitlist_entries)
         ORDER BY w.entry_id LIMIT 1) o
 WHERE t.event_id = 1 AND t.ticket_id = ANY (o.offered_ticket_ids) AND t.status = 'held'
   AND t.owner = o.customer;
SQL
cat >"$work/expire.sql" <<'SQL'
SELECT ticketing.expire_holds(1);
SQL
# Outsiders: claim_any, claim_batch and claim_ticket of a random seat, in every wait
# mode (public.attempt records nowait's 55P03 as lock_not_available).
cat >"$work/outsider.sql" <<SQL
\\set n random(1, 1000000000)
\\set t random(1, $TICKETS)
INSERT INTO public.answers VALUES ('claim_any', public.attempt(
    pg_catalog.format('SELECT outcome FROM ticketing.claim_any(1, %L)', 'out-' || :n)));
INSERT INTO public.answers VALUES ('claim_ticket skip', public.attempt(pg_catalog.format(
    'SELECT outcome FROM ticketing.claim_ticket(1, %s, %L, wait => ''skip'')', :t, 'out-' || :n)));
INSERT INTO public.answers VALUES ('claim_batch', public.attempt(pg_catalog.format(
    'SELECT string_agg(outcome, '','') FROM ticketing.claim_batch(1, ARRAY[ROW(%s, %L, NULL),
         ROW(NULL, %L, NULL)]::ticketing.claim_request[])', :t, 'outb-' || :n, 'outc-' || :n)));
SQL
cat >"$work/outsider_wait.sql" <<SQL
\\set n random(1, 1000000000)
\\set t random(1, $TICKETS)
\\set m random(1, 3)
INSERT INTO public.answers SELECT 'claim_ticket ' || w, public.attempt(pg_catalog.format(
    'SELECT outcome FROM ticketing.claim_ticket(1, %s, %L, wait => %L)', :t, 'outw-' || :n, w))
  FROM (SELECT (ARRAY['wait', 'nowait', '5ms'])[:m] AS w) m;
SQL

# The sold-out event and its list, made once into a template database that each level
# copies. The 10,000 entries are loaded as rows (the joins themselves are part of the
# load below): through join_waitlist, each join counts its place among those before it.
TEMPLATE_DB="${DB}_template"
make_template() {
    local half=$((TICKETS / 2)) quotas="SELECT 'no quotas'"
    [ "$QUOTAS" = 1 ] && quotas="SELECT ticketing.create_quota(1, 'Aq', $((half * 4 / 5)), ARRAY['A']),
                                        ticketing.create_quota(1, 'ABq', $((TICKETS * 85 / 100)), ARRAY['A', 'B'])"
    psql -X -q -d "$ADMIN_DB" -c "DROP DATABASE IF EXISTS $TEMPLATE_DB" \
        -c "CREATE DATABASE $TEMPLATE_DB" >/dev/null || return 1
    psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$TEMPLATE_DB" -c "CREATE EXTENSION ticketing" \
        -c "SELECT ticketing.create_event('waitlist drain', event_id => 1)" \
        -c "SELECT ticketing.add_tickets(1, $half, seat_prefix => 'A-', category => 'A')" \
        -c "SELECT ticketing.add_tickets(1, $((TICKETS - half)), seat_prefix => 'B-', category => 'B')" \
        -c "$quotas" \
        -c "SELECT ticketing.open_waitlist(1)" \
        -c "SELECT count(*) FROM generate_series(0, ($TICKETS - 1) / 1000) b,
                LATERAL ticketing.claim_batch(1, ARRAY(SELECT ROW(i, 'fan-' || i, NULL)::ticketing.claim_request
                          FROM generate_series(b * 1000 + 1, LEAST((b + 1) * 1000, $TICKETS)) i)) r
             WHERE r.outcome = 'claimed'" \
        -c "INSERT INTO ticketing.waitlist_entries (event_id, customer, quantity, category, offer_for)
            SELECT 1, 'wait-' || i, 1 + i % 3, (ARRAY['A', 'B', NULL])[1 + i % 3], interval '15 minutes'
              FROM generate_series(1, $ENTRIES) i" \
        -c "CREATE TABLE public.answers (call text, outcome text)" \
        -c "CREATE FUNCTION public.attempt(sql text) RETURNS text LANGUAGE plpgsql AS \$f\$
            DECLARE answer text;
            BEGIN
                EXECUTE sql INTO answer;
                RETURN answer;
            EXCEPTION WHEN lock_not_available THEN
                RETURN 'lock_not_available';
            END \$f\$" \
        -c "VACUUM ANALYZE" >/dev/null
}

# One run at isolation level $1.
run_level() {
    local level=$1
    TEST="waitlist-${level// /-}"
    echo "== $level: $TICKETS tickets sold out, $ENTRIES waiting, $CLIENTS clients, ${SECONDS_TO_RUN}s"
    drop_db
    psql -X -q -d "$ADMIN_DB" -c "CREATE DATABASE $DB TEMPLATE $TEMPLATE_DB" >/dev/null ||
        { run_failed "could not copy the event into $DB"; return; }
    PGOPTIONS="-c default_transaction_isolation=${level// /\\ }" \
        "$PGBENCH" -n -M simple -c "$CLIENTS" -j 2 -T "$SECONDS_TO_RUN" --max-tries=100 \
        --failures-detailed \
        -f "$work/refund.sql@6" -f "$work/join.sql@2" -f "$work/answer.sql@4" \
        -f "$work/leave.sql@1" -f "$work/lapse.sql@1" -f "$work/expire.sql@1" \
        -f "$work/outsider.sql@3" -f "$work/outsider_wait.sql@1" "$DB" >"$work/out" 2>&1
    local rc=$?
    grep -E '^(tps|number of (transactions actually|failed|serialization|deadlock|other))' "$work/out"
    if [ $rc -ne 0 ] || grep -qE 'client [0-9]+ (aborted|script [0-9]+ aborted)' "$work/out"; then
        { grep -E 'aborted|ERROR' "$work/out" || tail -5 "$work/out"; } | head -10
        run_failed "pgbench failed (a client aborted: an error other than a serialization failure)"
        return
    fi
    local deadlocks
    deadlocks=$(sed -nE 's/^number of deadlock failures: ([0-9]+).*/\1/p' "$work/out")
    [ "${deadlocks:-0}" = 0 ] || { run_failed "$deadlocks deadlocks"; return; }
    # Every lapsed hold back to inventory, and so to the list.
    psql_db -c "SELECT ticketing.expire_holds(1)" -c "ANALYZE" >/dev/null ||
        { run_failed "expire_holds failed"; return; }
    # And the earliest open offer is bought by its waiter (the load may have confirmed
    # none in a short run on a slow server): an offer is a hold like any other.
    local bought
    bought=$(psql_db -c "SELECT count(*) FILTER (WHERE c.outcome = 'claimed')
                           FROM (SELECT customer, ticket_ids FROM ticketing.pending_offers(1)
                                  ORDER BY entry_id LIMIT 1) o,
                                LATERAL pg_catalog.unnest(o.ticket_ids) AS t(ticket_id),
                                LATERAL ticketing.confirm_hold(1, t.ticket_id, o.customer) c") ||
        { run_failed "confirming an open offer failed"; return; }
    echo "the earliest open offer confirmed: $bought tickets claimed"
    local offers accepted out_of_order stranded double problems
    psql_db -c "SELECT call || ': ' || string_agg(outcome || ' ' || n, ', ' ORDER BY outcome)
                  FROM (SELECT call, outcome, count(*) AS n FROM public.answers GROUP BY 1, 2) s
                 GROUP BY call ORDER BY call"
    read -r offers accepted out_of_order stranded double problems <<<"$(psql_db -F ' ' -c "
        WITH offer AS (
            SELECT w.entry_id, w.customer, w.quantity, w.category, w.status, w.offered_ticket_ids,
                   (SELECT pg_catalog.min(a.audit_id) FROM ticketing.audit_log a
                     WHERE a.event_id = 1 AND a.ticket_id = ANY (w.offered_ticket_ids)
                       AND a.to_status = 'held' AND a.customer = w.customer
                       AND a.at = w.offered_at) AS seq,
                   (SELECT pg_catalog.array_agg(t.category) FROM ticketing.tickets t
                     WHERE t.event_id = 1 AND t.ticket_id = ANY (w.offered_ticket_ids)) AS categories
              FROM ticketing.waitlist_entries w
             WHERE w.event_id = 1 AND w.offered_at IS NOT NULL)
        SELECT (SELECT pg_catalog.count(*) FROM offer),
               (SELECT pg_catalog.count(*) FROM ticketing.waitlist(1) WHERE status = 'accepted'),
               -- An earlier entry, not one that left, fitting an offer's tickets, offered
               -- after it or never.
               (SELECT pg_catalog.count(*) FROM offer o
                  JOIN ticketing.waitlist_entries e
                    ON e.event_id = 1 AND e.entry_id < o.entry_id AND e.status <> 'left'
                   AND e.quantity <= (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(o.categories) c
                                       WHERE e.category IS NULL OR c = e.category)
                  LEFT JOIN offer eo ON eo.entry_id = e.entry_id
                 WHERE eo.entry_id IS NULL AND e.status = 'waiting' OR eo.seq > o.seq),
               -- A waiting entry that what is free now fits (and the quotas' units, if any).
               (WITH units AS (SELECT pg_catalog.max(q.available) FILTER (WHERE q.quota = 'Aq') AS aq,
                                      pg_catalog.max(q.available) FILTER (WHERE q.quota = 'ABq') AS abq
                                 FROM ticketing.quota_summary(1) q),
                     free AS (SELECT pg_catalog.count(*) FILTER (WHERE t.category = 'A') AS a,
                                     pg_catalog.count(*) FILTER (WHERE t.category = 'B') AS b
                                FROM ticketing.tickets t WHERE t.event_id = 1 AND t.status = 'available'),
                     fit AS (SELECT LEAST(f.a, u.aq, u.abq) AS a, LEAST(f.b, u.abq) AS b,
                                    LEAST(LEAST(f.a, u.aq) + f.b, u.abq) AS any_category
                               FROM free f, units u)
                SELECT pg_catalog.count(*) FROM ticketing.waitlist_entries e, fit
                 WHERE e.event_id = 1 AND e.status = 'waiting'
                   AND e.quantity <= CASE e.category WHEN 'A' THEN fit.a WHEN 'B' THEN fit.b
                                                     ELSE fit.any_category END),
               -- A ticket held by one customer for two open offers, or in two sales.
               (SELECT pg_catalog.count(*) FROM (SELECT t.ticket_id FROM ticketing.waitlist_entries w
                         CROSS JOIN LATERAL pg_catalog.unnest(w.offered_ticket_ids) AS t(ticket_id)
                         JOIN ticketing.tickets k ON k.event_id = 1 AND k.ticket_id = t.ticket_id
                          AND k.status = 'held' AND k.owner = w.customer
                        WHERE w.event_id = 1 AND w.status = 'offered'
                        GROUP BY t.ticket_id HAVING pg_catalog.count(*) > 1) d),
               (SELECT pg_catalog.count(*) FROM ticketing.verify(1))")" ||
        { run_failed "the checks could not run"; return; }
    [ -n "$problems" ] || { run_failed "the checks could not run"; return; }
    echo "offers $offers (accepted $accepted); out of list order $out_of_order;" \
        "waiting entries that free tickets fit $stranded; tickets in two open offers $double;" \
        "verify problems $problems"
    [ "$problems" = 0 ] || { run_failed "verify() reports: $(psql_db -c "SELECT string_agg(problem || ': ' || detail, '; ') FROM (SELECT * FROM ticketing.verify(1) LIMIT 5) v")"; return; }
    [ "$out_of_order" = 0 ] || { run_failed "$out_of_order offers went past an earlier entry they fitted"; return; }
    [ "$stranded" = 0 ] || { run_failed "$stranded waiting entries fit tickets that are on sale"; return; }
    [ "$double" = 0 ] || { run_failed "$double tickets are in two open offers"; return; }
    [ "$offers" -gt 0 ] && [ "$accepted" -gt 0 ] || { run_failed "the list did not drain (offers $offers, accepted $accepted)"; return; }
    echo "PASS $TEST"
    passed=$((passed + 1))
}

IFS=',' read -r -a levels <<<"$LEVELS"
if make_template; then
    for level in "${levels[@]}"; do
        run_level "$level"
    done
else
    TEST=waitlist-setup
    run_failed "could not load the sold-out event and its list"
fi
psql -X -q -d "$ADMIN_DB" -c "DROP DATABASE IF EXISTS $TEMPLATE_DB" >/dev/null 2>&1
[ -n "${WAITLIST_KEEP:-}" ] || drop_db
echo "$SUITE: $passed passed, $failed failed"
[ "$failed" = 0 ]
