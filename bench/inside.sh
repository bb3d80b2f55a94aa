#!/usr/bin/env bash
# The benchmark proper, run by bench/run.sh inside a throwaway cluster (PG* variables
# set): loads the events, then runs every (workload, strategy, clients, synchronous_commit)
# of the matrix with a reset before each, appending one JSON line per run to RESULTS.
#
# usage: bench/inside.sh quick|full RESULTS [INFO]   (INFO: server version and settings)
# Environment (all optional): BENCH_SECONDS (run length), BENCH_ANYSEAT_SECONDS (run
# length of the sell-through), BENCH_WORKLOADS, BENCH_STRATEGIES, BENCH_CLIENTS and
# BENCH_SYNCS (space-separated filters of the matrix), BENCH_SPREAD_TICKETS, BENCH_ANYSEAT_TICKETS, BENCH_BATCH (claim_batch size),
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

# The matrix, one "workload clients sync" line each; every strategy of the workload runs
# each line. Quick: one client count, synchronous_commit on.
matrix() {
    if [ "$MODE" = quick ]; then
        printf '%s 16 on\n' hot spread anyseat
        return
    fi
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
say "loaded in ${SECONDS}s"
echo "events=hot $HOT_TICKETS, spread $SPREAD_TICKETS, anyseat $ANYSEAT_TICKETS tickets" >>"$INFO"
echo "seconds=$SECONDS_PER_RUN s per run, anyseat $ANYSEAT_SECONDS s" >>"$INFO"

: >"$RESULTS"
say "runs of ${SECONDS_PER_RUN}s, anyseat ${ANYSEAT_SECONDS}s ($MODE)"
SECONDS=0
matrix | while read -r workload clients sync; do
    wanted "$workload" "${BENCH_WORKLOADS:-}" || continue
    wanted "$clients" "${BENCH_CLIENTS:-}" || continue
    wanted "$sync" "${BENCH_SYNCS:-}" || continue
    for strategy in $(strategies_of "$workload"); do
        wanted "$strategy" "${BENCH_STRATEGIES:-}" || continue
        seconds=$SECONDS_PER_RUN
        [ "$workload" = anyseat ] && seconds=$ANYSEAT_SECONDS
        run_one "$workload" "$strategy" "$clients" "$sync" "$seconds" "$RESULTS" </dev/null
    done
done
say "all runs took ${SECONDS}s"
