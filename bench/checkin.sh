#!/usr/bin/env bash
# Issue 19's check-in storm: SCANS scans (10% of them a ticket's second scan) of a sold-out
# event's codes at two gates, check_in() one scan per transaction (CLIENTS pgbench clients,
# even ids gate A, odd ids gate B), against claim_ticket() selling as many tickets on the
# same cluster with the same clients; then the same scans uploaded by offline gates,
# check_in_batch() of BATCH scans per call. ROUNDS rounds in turns (scan, claim, upload,
# scan, ...), each on fresh events; after each run the answers are checked (every ticket
# admitted exactly once, one trail row each, verify() clean, every claim sold).
#
#   bash bench/checkin.sh                 (as root: builds and installs the extension,
#                                          starts a throwaway PostgreSQL 15 cluster)
#   ROUNDS=5 CLIENTS=2 SCANS=20000 DUP_PCT=10 BATCH=100 bash bench/checkin.sh --no-build
#
# One line per run (workload, round, calls per second, scans or claims per second), the
# medians, and the ratio of scans/s to claims/s; the load average before and after.
# Last line: "checkin-bench: N passed, M failed" (a run whose check fails is a failure).
set -uo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$BENCH_DIR/../scripts/common.sh"
source "$BENCH_DIR/lib.sh" # median
export ROUNDS=${ROUNDS:-3} CLIENTS=${CLIENTS:-2} SCANS=${SCANS:-20000} DUP_PCT=${DUP_PCT:-10}
export BATCH=${BATCH:-100}
BUILD=1
for arg in "$@"; do
    case $arg in
    --no-build) BUILD=0 ;;
    --inside) exec bash "$BENCH_DIR/checkin.sh" --run-in-cluster ;;
    --run-in-cluster) BUILD=-1 ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) say "unknown argument: $arg (try --help)"; exit 2 ;;
    esac
done

if [ "$BUILD" -ge 0 ]; then
    require_root
    ensure_packages
    if [ "$BUILD" -eq 1 ]; then
        make -C "$TICKETING_ROOT" -s -j"$(nproc)" PG_CONFIG="$PG_BINDIR/pg_config" &&
            make -C "$TICKETING_ROOT" -s install PG_CONFIG="$PG_BINDIR/pg_config" >/dev/null || exit 1
    fi
    say "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs"
    # fsync on: every scan and sale commits to disk, as in production.
    with_bench_cluster bash "$BENCH_DIR/checkin.sh" --run-in-cluster
    rc=$?
    say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    exit $rc
fi

# Inside the cluster (PG* point at it).
passed=0
failed=0
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
check() { # check WHAT EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $1: expected $2, got $3"
    fi
}
# pgbench_rate SCRIPT EVENT TRANSACTIONS: transactions per second (without connections).
pgbench_rate() {
    local out
    out=$(pgbench -n -M prepared -c "$CLIENTS" -j "$CLIENTS" -t "$(($3 / CLIENTS))" \
        -D e="$2" -D batch="$BATCH" -f "$BENCH_DIR/checkin/$1" 2>&1)
    if grep -qiE "error|abort" <<<"$out"; then
        grep -iE "error|abort" <<<"$out" | head -5 >&2
    fi
    sed -nE 's/^tps = ([0-9.]+) \(without initial connection time\)/\1/p' <<<"$out"
}

q -c "CREATE EXTENSION IF NOT EXISTS ticketing"
distinct=$((SCANS - SCANS * DUP_PCT / 100))
scan_rates=()
claim_rates=()
upload_rates=()
for round in $(seq 1 "$ROUNDS"); do
    scan_event=$((round * 10 + 1)) claim_event=$((round * 10 + 2)) upload_event=$((round * 10 + 3))
    q -v scan_event=$scan_event -v queue=bench_scans -v scans="$SCANS" -v dup_pct="$DUP_PCT" \
        -f "$BENCH_DIR/checkin/setup.sql" >/dev/null || exit 1
    q -v scan_event=$upload_event -v queue=bench_uploads -v scans="$SCANS" -v dup_pct="$DUP_PCT" \
        -f "$BENCH_DIR/checkin/setup.sql" >/dev/null || exit 1
    q -v claim_event=$claim_event -v scans="$SCANS" -f "$BENCH_DIR/checkin/claim_setup.sql" \
        >/dev/null || exit 1

    rate=$(pgbench_rate scan.sql $scan_event "$SCANS")
    scan_rates+=("$rate")
    echo "check_in        round $round: $rate scans/s ($CLIENTS clients, 2 gates, $SCANS scans, $DUP_PCT% duplicates)"
    check "round $round check_in: tickets admitted" "$distinct" \
        "$(q -c "SELECT count(*) FROM ticketing.tickets WHERE event_id = $scan_event AND admitted_at IS NOT NULL")"
    check "round $round check_in: trail rows" "$distinct" \
        "$(q -c "SELECT count(*) FROM ticketing.admissions WHERE event_id = $scan_event")"
    check "round $round check_in: scans taken" "$SCANS" "$(q -c "SELECT last_value FROM bench_next_scan")"

    rate=$(pgbench_rate claim.sql $claim_event "$SCANS")
    claim_rates+=("$rate")
    echo "claim_ticket    round $round: $rate claims/s ($CLIENTS clients, $SCANS tickets)"
    check "round $round claim_ticket: sold" "$SCANS" \
        "$(q -c "SELECT count(*) FROM ticketing.tickets WHERE event_id = $claim_event AND status = 'sold'")"

    uploads=$(((SCANS + BATCH - 1) / BATCH))
    rate=$(pgbench_rate upload.sql $upload_event "$uploads")
    upload_rates+=("$(awk -v r="$rate" -v b="$BATCH" 'BEGIN { printf "%.1f", r * b }')")
    echo "check_in_batch  round $round: ${upload_rates[-1]} scans/s ($rate uploads/s of $BATCH scans)"
    check "round $round check_in_batch: tickets admitted" "$distinct" \
        "$(q -c "SELECT count(*) FROM ticketing.tickets WHERE event_id = $upload_event AND admitted_at IS NOT NULL")"
    # Each ticket's admission is its earliest scan (whichever upload committed first).
    check "round $round check_in_batch: earliest scan won" "0" "$(q -c "
        SELECT count(*)
          FROM generate_series(0, 999) o,
               LATERAL ticketing.ticket_codes($upload_event, 'owner-' || o) c
          JOIN ticketing.tickets t ON t.event_id = $upload_event AND t.ticket_id = c.ticket_id
          JOIN (SELECT code, min(at) AS first_at FROM bench_uploads GROUP BY code) f USING (code)
         WHERE t.admitted_at IS DISTINCT FROM f.first_at")"
    check "round $round: verify()" "0" \
        "$(q -c "SELECT count(*) FROM ticketing.verify()")"
done

scan_median=$(median "${scan_rates[@]}")
claim_median=$(median "${claim_rates[@]}")
upload_median=$(median "${upload_rates[@]}")
echo "medians of $ROUNDS rounds: check_in $scan_median scans/s, claim_ticket $claim_median claims/s, check_in_batch $upload_median scans/s"
awk -v s="$scan_median" -v c="$claim_median" -v u="$upload_median" \
    'BEGIN { printf "check_in / claim_ticket = %.2f; check_in_batch / claim_ticket = %.2f\n", s / c, u / c }'
echo "checkin-bench: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
