#!/usr/bin/env bash
# CPU per sale of a quota-capped claim against the same claim without quotas (issue 18),
# for one or two builds in turns, measured as the CPU time the cluster's processes spend
# per ticket sold rather than as claims/s (which other work on a shared machine moves by
# +-40% between runs). The event of the quotas benchmark: 100,000 tickets in categories
# A, B and C, under two overlapping quotas (AB: A and B, BC: B and C, 45,000 units each)
# or none; pgbench (prepared, a thread per core up to the clients, as bench/run.sh runs
# it) runs claim_any_category.sql from QUOTA_CPU_CLIENTS (64) clients for QUOTA_CPU_SALES
# (24,000) sales in all, synchronous_commit as QUOTA_CPU_SYNC says (on).
#
# usage: bash bench/quota_cpu.sh DESTDIR [DESTDIR_B] [ROUNDS]     (as root)
#   make -C /tmp/old install DESTDIR=/tmp/a && make install DESTDIR=/tmp/b
#   bash bench/quota_cpu.sh /tmp/a /tmp/b 2
# Each round, each build, each workload (quotas, then noquotas): a throwaway cluster
# (with_bench_cluster, as bench/run.sh's: fsync on) that loads the extension from that
# tree (extension_destdir). CPU = utime + stime of the postmaster, its exited children
# and its live ones, from /proc, before and after the pgbench run. Prints a line per run
# and a table.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/common.sh"
if [ $# -lt 1 ]; then
    sed -n "2,18p" "$0" >&2
    exit 2
fi
builds=("$1")
rounds=2
if [ $# -ge 2 ]; then
    if [[ $2 =~ ^[0-9]+$ ]]; then rounds=$2; else builds+=("$2"); fi
fi
[ $# -ge 3 ] && rounds=$3
export QUOTA_CPU_CLIENTS=${QUOTA_CPU_CLIENTS:-64}
export QUOTA_CPU_SALES=${QUOTA_CPU_SALES:-24000}
export QUOTA_CPU_SYNC=${QUOTA_CPU_SYNC:-on}
export ROOT STRATEGY="$ROOT/bench/strategies/claim_any_category.sql"

# One run inside the throwaway cluster: prints "SOLD CPU_TICKS".
inside() {
    set -euo pipefail
    psql -qAtX -c "CREATE EXTENSION ticketing" >/dev/null
    psql -qAtX -c "ALTER SYSTEM SET synchronous_commit = $QUOTA_CPU_SYNC" -c "SELECT pg_reload_conf()" >/dev/null
    local e
    e=$(psql -qAtX -c "SELECT ticketing.create_event('quota cpu')")
    psql -qAtX -c "SELECT ticketing.add_tickets($e, 33334, category => 'A')
                        + ticketing.add_tickets($e, 33333, category => 'B')
                        + ticketing.add_tickets($e, 33333, category => 'C')" >/dev/null
    # shellcheck disable=SC2153 # WORKLOAD is set per run by the loop below (the environment)
    if [ "$WORKLOAD" = quotas ]; then
        psql -qAtX -c "SELECT ticketing.create_quota($e, 'AB', 45000, ARRAY['A', 'B']),
                              ticketing.create_quota($e, 'BC', 45000, ARRAY['B', 'C'])" >/dev/null
    fi
    psql -qAtX -c "VACUUM ANALYZE" -c CHECKPOINT >/dev/null
    source "$ROOT/bench/lib.sh"
    local postmaster before after sold
    postmaster=$(head -1 "$(psql -qAtX -c 'SHOW data_directory')/postmaster.pid")
    before=$(cluster_ticks "$postmaster")
    pgbench -n -M prepared -c "$QUOTA_CPU_CLIENTS" -j "$(pgbench_threads "$QUOTA_CPU_CLIENTS")" -t $((QUOTA_CPU_SALES / QUOTA_CPU_CLIENTS)) -D e="$e" \
        -f "$STRATEGY" >/dev/null 2>&1
    after=$(cluster_ticks "$postmaster")
    sold=$(psql -qAtX -c "SELECT count(*) FROM ticketing.tickets WHERE event_id = $e AND status = 'sold'")
    psql -qAtX -c "SELECT count(*) FROM ticketing.verify()" | grep -qx 0
    echo "$sold $((after - before))"
}
export -f inside

hz=$(getconf CLK_TCK)
declare -A per_sale
for round in $(seq "$rounds"); do
    for build in "${builds[@]}"; do
        for workload in quotas noquotas; do
            read -r sold ticks < <(WORKLOAD=$workload with_bench_cluster -o extension_destdir="$build" bash -c inside 2>/dev/null | grep -E '^[0-9]+ [0-9]+$' | tail -1)
            us=$((ticks * 1000000 / hz / sold))
            echo "round $round, $build, $workload: $sold sales, $ticks ticks, $us µs per sale" >&2
            per_sale[$build,$workload]+="${per_sale[$build,$workload]:+, }$us"
        done
    done
done
echo "| build | quotas µs per sale (rounds) | noquotas µs per sale (rounds) |"
echo "|---|---|---|"
for build in "${builds[@]}"; do
    echo "| $build | ${per_sale[$build,quotas]} | ${per_sale[$build,noquotas]} |"
done
