#!/usr/bin/env bash
# CPU per sale in the server, for two builds in turns: the extension's calls against the
# hand-written statements they replace (claim_ticket / single_statement, claim_batch /
# batch_statement), measured by the CPU time the cluster's processes spend per ticket
# sold, not by claims/s. On this shared 2-core machine other work moves claims/s by
# +-40% between runs; CPU time per sale does not depend on who else runs.
#
# usage: bash bench/cpu_per_claim.sh DESTDIR_A DESTDIR_B OUT_DIR [ROUNDS]
#   make -C /tmp/old install DESTDIR=/tmp/a && make install DESTDIR=/tmp/b
#   bash bench/cpu_per_claim.sh /tmp/a /tmp/b /tmp/cpu 3
# Each round, each build (A then B): a throwaway cluster (fsync on, autovacuum off) that
# loads the extension from that tree (Debian's extension_destdir), one event of
# CPU_TICKETS (250,000) tickets per strategy (1,000,000 rows in all); then, in an order
# that rotates with the round, pgbench (16 clients, -M prepared, synchronous_commit off,
# so that nothing waits for a flush and the CPU is all there is) runs each strategy's
# script from bench/strategies/ for CPU_CALLS (2,000) claims per client (one per
# transaction, or CPU_CALLS / 100 transactions of 100 random seats for the batches): about
# a tenth of each event sold, as in the spread workload's first tenth. CPU = utime + stime of the
# postmaster, its exited children (cutime + cstime) and its live ones, from /proc,
# before and after. CPU_CLIENTS (16) and CPU_PASSES (1: each strategy's claims in that
# many turns, the strategies taking turns) change the shape. Output: OUT_DIR/runs.tsv
# (build, round, strategy, sales, CPU ms, µs per sale, one line per turn) and the ratios
# per build and round over all turns.
set -uo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STRATEGIES=(single_statement claim_ticket batch_statement claim_batch)
TICKETS=${CPU_TICKETS:-250000}
CALLS=${CPU_CALLS:-2000}
CLIENTS=${CPU_CLIENTS:-16}
PASSES=${CPU_PASSES:-1}

if [ "${1:-}" = --inside ]; then
    # Inside the cluster: $2 build label, $3 round, $4 output file.
    build=$2 round=$3 out=$4
    PGBENCH=/usr/lib/postgresql/15/bin/pgbench
    q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d postgres "$@"; }
    q -c "CREATE EXTENSION ticketing" || exit 1
    for i in "${!STRATEGIES[@]}"; do
        q -c "SELECT ticketing.create_event('cpu ${STRATEGIES[$i]}', event_id => $((i + 1)))" \
            -c "SELECT ticketing.add_tickets($((i + 1)), $TICKETS)" >/dev/null || exit 1
    done
    q -c "VACUUM ANALYZE" -c "CHECKPOINT" || exit 1
    postmaster=$(head -1 "$(q -c 'SHOW data_directory')/postmaster.pid")
    source "$BENCH_DIR/lib.sh"
    ticks() { cluster_ticks "$postmaster"; }
    hz=$(getconf CLK_TCK)
    n=${#STRATEGIES[@]}
    for k in $(seq 0 $((n * PASSES - 1))); do
        i=$(((k + round) % n))
        strategy=${STRATEGIES[$i]}
        event=$((i + 1))
        transactions=$((CALLS / PASSES))
        case $strategy in *batch*) transactions=$((CALLS / PASSES / 100)) ;; esac
        before=$(ticks)
        PGOPTIONS='-c synchronous_commit=off' "$PGBENCH" -n -M prepared -c "$CLIENTS" -j 2 \
            -t "$transactions" -f "$BENCH_DIR/strategies/$strategy.sql" -D e="$event" -D n="$TICKETS" \
            -D batch=100 -D any=0 postgres >"$out.$strategy.log" 2>&1 ||
            echo "pgbench failed: $strategy (see $out.$strategy.log)" >&2
        sleep 1 # the backends exit and are reaped
        after=$(ticks)
        total=$(q -c "SELECT count(*) FROM ticketing.audit_log WHERE event_id = $event AND to_status = 'sold'")
        sales=$((total - ${sold_before[$i]:-0}))
        sold_before[$i]=$total
        oversold=$(q -c "SELECT count(*) - count(DISTINCT ticket_id) FROM ticketing.audit_log WHERE event_id = $event AND to_status = 'sold'")
        [ "$oversold" = 0 ] || echo "OVERSOLD: $strategy $oversold" >&2
        ms=$(((after - before) * 1000 / hz))
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$build" "$round" "$strategy" "$sales" "$ms" \
            "$(awk -v ms="$ms" -v s="$sales" 'BEGIN { printf "%.1f", ms * 1000 / s }')" >>"$out"
        q -c "CHECKPOINT" >/dev/null
    done
    exit 0
fi
source "$BENCH_DIR/../scripts/common.sh"

A=${1:?usage: cpu_per_claim.sh DESTDIR_A DESTDIR_B OUT_DIR [ROUNDS]}
B=${2:?usage: cpu_per_claim.sh DESTDIR_A DESTDIR_B OUT_DIR [ROUNDS]}
OUT=${3:?usage: cpu_per_claim.sh DESTDIR_A DESTDIR_B OUT_DIR [ROUNDS]}
ROUNDS=${4:-2}
mkdir -p "$OUT"
chmod 777 "$OUT"
runs=$OUT/runs.tsv
: >"$runs"
chmod 666 "$runs"
for round in $(seq 1 "$ROUNDS"); do
    for build in a b; do
        tree=$A
        [ "$build" = b ] && tree=$B
        echo "==> round $round, build $build ($tree), load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
        # Twice at most: a port another cluster took meanwhile fails the start.
        for attempt in 1 2; do
            with_bench_cluster -o autovacuum=off -o "extension_destdir=$tree" \
                bash "$BENCH_DIR/cpu_per_claim.sh" --inside "$build" "$round" "$runs" >/dev/null &&
                break
            echo "round $round, build $build: the run failed (attempt $attempt)" >&2
        done
    done
done
# µs of server CPU per sale; ratios are statement / extension (above 1: the extension
# spends less CPU per sale than the statement it replaces).
awk -F'\t' '
    { k = $1 " " $2 " " $3; sales[k] += $4; ms[k] += $5; builds[$1] = 1; rounds[$2] = 1; print }
    END {
        for (k in sales) us[k] = ms[k] * 1000 / sales[k]
        for (b in builds) for (r in rounds) {
            k = b " " r " "
            if ((k "claim_ticket") in us && (k "claim_batch") in us)
                printf "build %s round %s: claim_ticket %.2fx single_statement, claim_batch %.2fx batch_statement (CPU per sale, statement / extension)\n",
                    b, r, us[k "single_statement"] / us[k "claim_ticket"],
                    us[k "batch_statement"] / us[k "claim_batch"]
        }
    }' "$runs"
