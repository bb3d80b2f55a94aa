#!/usr/bin/env bash
# The benchmark proper, run by bench/run.sh inside a throwaway cluster (PG* variables
# set): loads the events, then runs every (workload, strategy, clients, synchronous_commit)
# of the matrix with a reset before each, appending one JSON line per run to RESULTS.
#
# usage: bench/inside.sh quick|full RESULTS [INFO]   (INFO: server version and settings)
# Environment (all optional): BENCH_SECONDS (run length), BENCH_ANYSEAT_SECONDS (run
# length of the sell-through), BENCH_WORKLOADS, BENCH_STRATEGIES, BENCH_CLIENTS and
# BENCH_SYNCS (space-separated filters of the matrix), BENCH_SPREAD_TICKETS, BENCH_ANYSEAT_TICKETS, BENCH_BATCH (claim_batch size),
# BENCH_QUOTA_TICKETS, BENCH_QUOTA_SIZE (each of the two quotas), BENCH_QUOTA_STRIPES
# (create_quota's stripes, default 64), BENCH_QUOTA_SECONDS,
# BENCH_QUOTA_CLIENTS, BENCH_ROUNDS (the quota and cart workloads run this many times,
# in turns: quotas, noquotas, cart, quotas, noquotas, cart, ...),
# BENCH_EXTRA_SQL (a file run after bench/setup.sql, e.g. a stand-in for a function this
# build lacks, to try a strategy's wiring), BENCH_RTT_US (a simulated network round trip:
# every script sleeps this many microseconds before each SQL command; see lib.sh).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MODE=${1:?usage: inside.sh quick|full RESULTS}
RESULTS=${2:?usage: inside.sh quick|full RESULTS}
INFO=${3:-/dev/null}

SINGLE_TICKET="naive client_txn single_statement plpgsql claim_ticket batch_statement claim_batch"
GENERAL_ADMISSION="ga_for_update ga_skip_locked ga_single_statement claim_any claim_batch"
# Issue 18: an event under two overlapping quotas against the same event without them,
# and a cart of 4 seats against 4 claim_ticket calls (on the spread event).
CATEGORIES="claim_any_category"
CARTS="cart_checkout claim_ticket_x4_txn claim_ticket_x4"

# anyseat runs are longer and its event sized so that the fast strategies sell through
# with time to spare: the sell-through itself is what is measured.
if [ "$MODE" = quick ]; then
    SECONDS_PER_RUN=${BENCH_SECONDS:-2}
    ANYSEAT_SECONDS=${BENCH_ANYSEAT_SECONDS:-$SECONDS_PER_RUN}
    ANYSEAT_TICKETS=${BENCH_ANYSEAT_TICKETS:-2000}
else
    SECONDS_PER_RUN=${BENCH_SECONDS:-15}
    ANYSEAT_SECONDS=${BENCH_ANYSEAT_SECONDS:-30}
    ANYSEAT_TICKETS=${BENCH_ANYSEAT_TICKETS:-40000}
fi
SPREAD_TICKETS=${BENCH_SPREAD_TICKETS:-1000000}
HOT_TICKETS=100
# The quota workloads: A, B and C a third each of QUOTA_TICKETS; quota AB covers A and B,
# BC covers B and C, QUOTA_SIZE units each. A random category per request spends both
# alike, so they run out together, after about 1.5 x QUOTA_SIZE sales: the quotas, not the
# seats, end the sale, well within the run (noquotas, the same event without quotas, sells
# for the whole run). The full run's quotas (67,500 sales) sell for about as long as
# noquotas' 100,000 tickets, so both rates carry the same start (64 backends planning
# their statements) over a similar time; with 15,000 units (7 s of selling) the first
# second weighed three times as much in the quotas' rate as in noquotas'.
if [ "$MODE" = quick ]; then
    QUOTA_TICKETS=${BENCH_QUOTA_TICKETS:-3000}
    QUOTA_SIZE=${BENCH_QUOTA_SIZE:-400}
    QUOTA_SECONDS=${BENCH_QUOTA_SECONDS:-$SECONDS_PER_RUN}
    QUOTA_CLIENTS=${BENCH_QUOTA_CLIENTS:-16}
else
    QUOTA_TICKETS=${BENCH_QUOTA_TICKETS:-100000}
    QUOTA_SIZE=${BENCH_QUOTA_SIZE:-45000}
    QUOTA_STRIPES=${BENCH_QUOTA_STRIPES:-64}
    QUOTA_SECONDS=${BENCH_QUOTA_SECONDS:-30}
    QUOTA_CLIENTS=${BENCH_QUOTA_CLIENTS:-64}
    ROUNDS=${BENCH_ROUNDS:-2}
fi

# The matrix, one "workload clients sync [round]" line each; every strategy of the
# workload runs each line. Quick: one client count, synchronous_commit on.
matrix() {
    local round
    if [ "$MODE" = quick ]; then
        # Issue 18's paths as a smoke test (integrity, no quota past its size): the quota
        # sell-out and the cart; their comparisons need the full run.
        printf '%s 16 on\n' hot spread anyseat
        printf "%s $QUOTA_CLIENTS on 1\n" quotas cart
        return
    fi
    # Issue 18's figures first, in turns (see ROUNDS).
    for round in $(seq 1 "$ROUNDS"); do
        printf "%s $QUOTA_CLIENTS on $round\n" quotas noquotas cart
    done
    local workload clients sync
    for workload in hot spread anyseat; do
        for clients in 16 64; do
            for sync in on off; do
                echo "$workload $clients $sync"
            done
        done
    done
    # The client-count sweep of the spread plot (16 and 64 with sync on ran above).
    for clients in 1 4 128; do
        echo "spread $clients on"
    done
}

strategies_of() {
    case $1 in
    anyseat) echo "$GENERAL_ADMISSION" ;;
    quotas | noquotas) echo "$CATEGORIES" ;;
    cart) if [ "$MODE" = quick ]; then echo cart_checkout; else echo "$CARTS"; fi ;;
    *) echo "$SINGLE_TICKET" ;;
    esac
}

wanted() { # wanted WORD LIST: LIST empty or containing WORD
    [ -z "$2" ] || [[ " $2 " == *" $1 "* ]]
}

say "benchmark database $BENCH_DB"
create_bench_db || exit 1
if [ -n "${BENCH_EXTRA_SQL:-}" ]; then
    bpsql -f "$BENCH_EXTRA_SQL" || exit 1
fi
bpsql -c "SELECT 'postgres=PostgreSQL ' || split_part(version(), ' ', 2)" \
      -c "SELECT 'settings=' || string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
            FROM pg_settings
           WHERE name IN ('shared_buffers', 'max_connections', 'max_wal_size',
                          'synchronous_commit', 'fsync', 'checkpoint_timeout')" >"$INFO"
say "loading events: hot $HOT_TICKETS, spread $SPREAD_TICKETS, anyseat $ANYSEAT_TICKETS tickets"
SECONDS=0
create_event hot "$HOT_TICKETS" >/dev/null || exit 1
create_event spread "$SPREAD_TICKETS" >/dev/null || exit 1
create_event anyseat "$ANYSEAT_TICKETS" >/dev/null || exit 1
# cart: the spread event (random seats among a million).
bpsql -c "INSERT INTO bench.events SELECT 'cart', event_id, tickets FROM bench.events
           WHERE workload = 'spread'" || exit 1
events="hot $HOT_TICKETS, spread (and cart) $SPREAD_TICKETS, anyseat $ANYSEAT_TICKETS tickets"
if has_quotas; then
    create_category_event quotas "$QUOTA_TICKETS" >/dev/null || exit 1
    add_quota quotas AB "$QUOTA_SIZE" A B || exit 1
    add_quota quotas BC "$QUOTA_SIZE" B C || exit 1
    create_category_event noquotas "$QUOTA_TICKETS" >/dev/null || exit 1
    events="$events; quotas and noquotas $QUOTA_TICKETS tickets, categories A, B, C a third each, quotas (quotas only) AB (A, B) and BC (B, C) of $QUOTA_SIZE each in ${QUOTA_STRIPES:-64} stripes"
fi
say "loaded in ${SECONDS}s"
echo "events=$events" >>"$INFO"
echo "seconds=$SECONDS_PER_RUN s per run, anyseat $ANYSEAT_SECONDS s, quotas $QUOTA_SECONDS s" >>"$INFO"

: >"$RESULTS"
say "runs of ${SECONDS_PER_RUN}s, anyseat ${ANYSEAT_SECONDS}s ($MODE)"
SECONDS=0
matrix | while read -r workload clients sync round; do
    wanted "$workload" "${BENCH_WORKLOADS:-}" || continue
    wanted "$clients" "${BENCH_CLIENTS:-}" || continue
    wanted "$sync" "${BENCH_SYNCS:-}" || continue
    for strategy in $(strategies_of "$workload"); do
        wanted "$strategy" "${BENCH_STRATEGIES:-}" || continue
        seconds=$SECONDS_PER_RUN
        case $workload in
        anyseat) seconds=$ANYSEAT_SECONDS ;;
        quotas | noquotas) seconds=$QUOTA_SECONDS ;;
        esac
        BENCH_ROUND=${round:-1} run_one "$workload" "$strategy" "$clients" "$sync" "$seconds" \
            "$RESULTS" </dev/null
    done
done
say "all runs took ${SECONDS}s"
