#!/usr/bin/env bash
# Benchmark of the waiting list (issue 19): an event of 100,000 tickets sold out with
# 10,000 waiting entries, and the same event without a list, each refunded by CLIENTS
# pgbench clients (release_ticket of a random sold ticket) for RUN_SECONDS, in turns, ROUNDS
# times, with synchronous_commit = on and fsync on. Reports refunds/s with and without
# the list and their ratio, and, for every offer the refunds made, the time from the
# commit of the refund that made it (pg_xact_commit_timestamp of the transaction that
# marked the entry offered) to its NOTIFY reaching a listener (p50, p99, max).
#
#   bash bench/waitlist.sh      (as root; installs what it lacks, builds, installs)
# Environment: CLIENTS (16), RUN_SECONDS (15), ROUNDS (2), TICKETS (100000), ENTRIES (10000),
# SYNCHRONOUS_COMMIT (on; off shows the cost without the commit flush),
# BUILD=0 to use the installed extension. Last line: "waitlist-bench: N passed, M failed"
# (a round counts as passed when pgbench ran clean and verify() found nothing).
set -uo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$BENCH_DIR/../scripts/common.sh"
require_root
ensure_packages python3 python3-psycopg
[ "${BUILD:-1}" = 0 ] || build_and_install
say "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on this machine skews the numbers)"
with_bench_cluster -o track_commit_timestamp=on bash "$BENCH_DIR/waitlist_inside.sh"
