#!/usr/bin/env bash
# What a quota's stripe take costs per sale at high concurrency, by hand-written
# statements instead of the extension's calls (issue 18: why a quota-capped sale costs
# about 1.3x the CPU of one without quotas at 64 clients on two cores, and about 1.0x
# at 16). Each script in bench/stripe_statements/ sells one random ticket of a
# 1,000,000-ticket event in a transaction, with or without a take of one unit from a
# 64-stripe quota (the start stripe is the client's, as a backend's stripe hint is):
#
#   sale               the sale statement alone (transition_tickets' shape, with its audit row)
#   sale_select1       the sale and a SELECT 1: what one more statement's round trip costs
#   sale_plain_update  an UPDATE of the client's stripe by key, then the sale
#   sale_take          the extension's take (take_units), then the sale
#   sale_take_subquery the take as one UPDATE whose stripe a locking subquery chooses
#   sale_take_folded   the take as CTEs of the sale statement (the sale only if a unit was taken)
#
# The spi_* scripts run statements of the same shapes through SPI, as the extension does
# (PL/pgSQL functions in spi_functions.sql, plans kept per backend; no round trip per
# statement), with a second quota over the same tickets (as category B is under both AB
# and BC in bench/run.sh's quotas workload):
#
#   spi_sale                 the sale alone
#   spi_take                 a take of one quota, then the sale
#   spi_take2                a take of each of two quotas (two statements), then the sale
#   spi_take2_one_statement  both takes in one statement, then the sale
#   spi_take_advisory        a take that skips stripes other transactions are taking from by
#                            an advisory try-lock, then a plain UPDATE (no row lock), then
#                            the sale
#   spi_take2_advisory       the same for two quotas
#
# Each round runs every script from CLIENTS (64) pgbench clients, prepared, generic plans
# (as the extension's kept plans are), synchronous_commit = on, fsync on
# (with_bench_cluster), TRANSACTIONS (25,600) in all, and reports the CPU of the
# cluster's processes (/proc) per transaction; a table of the medians follows.
# - Plans are made under the settings the extension plans its stripe walks with
#   (PlanShape::ordered_walk: no sequential or bitmap scan, no sort; otherwise the
#   generic plan of a take joins the stripes by a sequential scan of all of them), and
#   without JIT, as the extension's (those settings cost a plan past jit_above_cost).
# - Every script starts from the same state: the tickets the one before sold available
#   again, the audit log empty, both tables vacuumed, a checkpoint taken. (Otherwise each
#   script finds more tickets sold than the one before, and an UPDATE that finds its
#   ticket sold writes nothing.)
# - STRIPE_PAGES=one gives every stripe a heap page of its own (fillfactor 10 and a
#   padding column, in the throwaway cluster).
#
#   bash bench/stripe_statements.sh [ROUNDS]     (as root; uses the installed extension)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/common.sh"
source "$ROOT/bench/lib.sh" # median
require_root
export ROOT ROUNDS=${1:-3} CLIENTS=${CLIENTS:-64} TRANSACTIONS=${TRANSACTIONS:-25600}
export STRIPE_PAGES=${STRIPE_PAGES:-shared}
export SCRIPTS=${SCRIPTS:-"sale sale_select1 sale_plain_update sale_take sale_take_subquery sale_take_folded
    spi_sale spi_take spi_take2 spi_take2_one_statement spi_take_advisory spi_take2_advisory"}

inside() {
    set -euo pipefail
    source "$ROOT/bench/lib.sh"
    psql -qAtX -c "CREATE EXTENSION ticketing" >/dev/null
    psql -qAtX -c "ALTER SYSTEM SET synchronous_commit = on" \
        -c "ALTER SYSTEM SET plan_cache_mode = force_generic_plan" -c "ALTER SYSTEM SET enable_seqscan = off" \
        -c "ALTER SYSTEM SET enable_bitmapscan = off" -c "ALTER SYSTEM SET enable_sort = off" \
        -c "ALTER SYSTEM SET enable_incremental_sort = off" -c "ALTER SYSTEM SET jit = off" \
        -c "SELECT pg_reload_conf()" >/dev/null
    psql -qAtX -v ON_ERROR_STOP=1 -f "$ROOT/bench/stripe_statements/spi_functions.sql" >/dev/null
    if [ "$STRIPE_PAGES" = one ]; then
        psql -qAtX -c "ALTER TABLE ticketing.quota_stripes SET (fillfactor = 10)" \
            -c "ALTER TABLE ticketing.quota_stripes ADD COLUMN pad text DEFAULT repeat('x', 900)" >/dev/null
    fi
    local e q q2 pages
    e=$(psql -qAtX -c "SELECT ticketing.create_event('stripe statements')")
    psql -qAtX -c "SELECT ticketing.add_tickets($e, 1000000, category => 'A')" >/dev/null
    psql -qAtX -c "SELECT ticketing.create_quota($e, 'A', 10000000, ARRAY['A'])" >/dev/null
    psql -qAtX -c "SELECT ticketing.create_quota($e, 'A2', 10000000, ARRAY['A'])" >/dev/null
    q=$(psql -qAtX -c "SELECT quota_id FROM ticketing.quotas WHERE event_id = $e AND name = 'A'")
    q2=$(psql -qAtX -c "SELECT quota_id FROM ticketing.quotas WHERE event_id = $e AND name = 'A2'")
    psql -qAtX -c "VACUUM ANALYZE" -c CHECKPOINT >/dev/null
    pages=$(psql -qAtX -c "SELECT count(DISTINCT (ctid::text::point)[0]) FROM ticketing.quota_stripes")
    echo "stripes on $pages heap pages" >&2
    local round script postmaster before after
    postmaster=$(head -1 "$(psql -qAtX -c 'SHOW data_directory')/postmaster.pid")
    for round in $(seq "$ROUNDS"); do
        for script in $SCRIPTS; do
            before=$(cluster_ticks "$postmaster")
            pgbench -n -M prepared -c "$CLIENTS" -j "$(pgbench_threads "$CLIENTS")" -t $((TRANSACTIONS / CLIENTS)) \
                -D e="$e" -D q="$q" -D q2="$q2" -f "$ROOT/bench/stripe_statements/$script.sql" >/dev/null
            after=$(cluster_ticks "$postmaster")
            echo "$round $script $(((after - before) * 1000000 / $(getconf CLK_TCK) / TRANSACTIONS))"
            psql -qAtX -c "UPDATE ticketing.tickets SET status = 'available', owner = NULL
                             WHERE event_id = $e AND status = 'sold'" \
                -c "TRUNCATE ticketing.audit_log" -c "VACUUM ticketing.tickets, ticketing.quota_stripes" \
                -c CHECKPOINT >/dev/null
        done
    done
}
export -f inside

results=$(with_bench_cluster bash -c inside | grep -E '^[0-9]+ [a-z_0-9]+ [0-9]+$')
echo "$results" | awk '{print "round " $1 ", " $2 ": " $3 " µs of CPU per transaction"}' >&2
echo "| script | µs of cluster CPU per transaction (rounds) | median |"
echo "|---|---|---:|"
for script in $SCRIPTS; do
    mapfile -t values < <(echo "$results" | awk -v s="$script" '$2 == s {print $3}')
    echo "| $script | $(IFS=,; echo "${values[*]}" | sed 's/,/, /g') | $(median "${values[@]}") |"
done
