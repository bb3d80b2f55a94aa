#!/usr/bin/env bash
# Stress test of the ticketing extension: 32 clients hammer one event with random claims
# (wait/nowait/skip) and releases for 10 s, then ticketing-load checks the database for
# oversells and bookkeeping mismatches. Three scenarios: "hot" (100 tickets), "spread"
# (100,000 tickets) and "mixed": 20 s of every call at random (claims, orders, holds,
# releases, expire_holds, idempotent retries, rolled-back calls) by 64 customers shared by
# the clients, on 2,000 seats in rows with a limit of 6 per customer, checked against the
# audit log; and the same on 100,000 seats ("mixed-100k").
#
# usage: test/stress/run_stress.sh [path/to/ticketing-load]   (or set LOADGEN)
# Needs PGHOST/PGPORT/PGUSER/... pointing at a PostgreSQL 15 server where
# `CREATE EXTENSION ticketing` works. Uses (and finally drops) database $STRESS_DB.
# CLIENTS (32), DURATION (10 s) and MIXED_DURATION (20 s) can be overridden from the
# environment.
set -euo pipefail

LOADGEN="${1:-${LOADGEN:-}}"
STRESS_DB="${STRESS_DB:-ticketing_stress}"
CLIENTS="${CLIENTS:-32}"
DURATION="${DURATION:-10}"
MIXED_DURATION="${MIXED_DURATION:-20}"
ADMIN_DB="${PGDATABASE:-postgres}"
if [[ "$ADMIN_DB" == "$STRESS_DB" ]]; then
    ADMIN_DB=postgres
fi

if [[ -z "$LOADGEN" ]]; then
    echo "usage: $0 path/to/ticketing-load   (or set LOADGEN)" >&2
    exit 2
fi
if [[ ! -x "$LOADGEN" ]]; then
    echo "error: $LOADGEN is not an executable" >&2
    exit 2
fi
if ! [[ "$CLIENTS" =~ ^[1-9][0-9]*$ && "$DURATION" =~ ^[1-9][0-9]*$ &&
    "$MIXED_DURATION" =~ ^[1-9][0-9]*$ ]]; then
    echo "error: CLIENTS, DURATION and MIXED_DURATION must be positive integers" >&2
    exit 2
fi

admin_psql() { psql -X -q -v ON_ERROR_STOP=1 -d "$ADMIN_DB" "$@"; }
stress_psql() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$STRESS_DB" "$@"; }

drop_db() {
    admin_psql -c "SET client_min_messages = warning" \
        -c "DROP DATABASE IF EXISTS $STRESS_DB WITH (FORCE)" || true
}
trap drop_db EXIT

drop_db
admin_psql -c "CREATE DATABASE $STRESS_DB"
stress_psql -c "CREATE EXTENSION ticketing"

passed=0
failed=0

# record NAME STATUS: counts a scenario's result.
record() {
    local name="$1" status="$2"
    if [[ $status -eq 130 ]]; then
        echo "stress: interrupted" >&2
        exit 130
    fi
    if [[ $status -eq 0 ]]; then
        echo "PASS stress-$name"
        passed=$((passed + 1))
    else
        echo "stress-$name: exit status $status" >&2
        echo "FAIL stress-$name"
        failed=$((failed + 1))
    fi
}

# run_scenario NAME TICKETS
run_scenario() {
    local name="$1" tickets="$2" event status=0
    event=$(stress_psql -c "SELECT ticketing.create_event('stress $name')") || status=$?
    if [[ $status -eq 0 ]]; then
        stress_psql -c "SELECT ticketing.add_tickets($event, $tickets)" >/dev/null || status=$?
    fi
    if [[ $status -eq 0 ]]; then
        echo "--- stress-$name: event $event, $tickets tickets, $CLIENTS clients, ${DURATION}s"
        # ticketing-load bounds its own run time; timeout is a last resort. --foreground
        # lets Ctrl-C reach ticketing-load, which then stops cleanly and exits 130.
        timeout --foreground --kill-after=10 $((DURATION + 90)) \
            "$LOADGEN" stress --conninfo "dbname=$STRESS_DB" --event "$event" \
            --tickets "$tickets" --clients "$CLIENTS" --duration "$DURATION" \
            --max-seconds $((DURATION + 30)) --label "$name" || status=$?
    fi
    record "$name" "$status"
}

# run_mixed NAME ROWS SEATS_PER_ROW: 4 sections A..D of ROWS rows of SEATS_PER_ROW seats
# (A-1-1 ..., ticket ids in seat order), at most 6 per customer, 64 customers. "mixed" is
# 2,000 seats, where the 64 customers meet on the same seats most often; "mixed-100k" is
# the size of a flash sale, 100,000 seats, with the same customers and limit (the limit
# and hold races do not depend on the seat count, the walks and the replay do).
run_mixed() {
    local name=$1 rows=$2 per_row=$3 event status=0
    event=$(stress_psql -c "SELECT ticketing.create_event('stress $name', 6)") || status=$?
    if [[ $status -eq 0 ]]; then
        stress_psql -c "SELECT ticketing.add_tickets($event, ARRAY(
                            SELECT s || '-' || r || '-' || n
                              FROM unnest(ARRAY['A', 'B', 'C', 'D']) AS s,
                                   generate_series(1, $rows) AS r,
                                   generate_series(1, $per_row) AS n
                             ORDER BY s, r, n))" >/dev/null || status=$?
    fi
    if [[ $status -eq 0 ]]; then
        echo "--- stress-$name: event $event, $((4 * rows * per_row)) seats, limit 6," \
            "64 customers, $CLIENTS clients, ${MIXED_DURATION}s"
        timeout --foreground --kill-after=10 $((MIXED_DURATION + 90)) \
            "$LOADGEN" mixed --conninfo "dbname=$STRESS_DB" --event "$event" \
            --customers 64 --clients "$CLIENTS" --duration "$MIXED_DURATION" \
            --max-seconds $((MIXED_DURATION + 30)) --label "$name" || status=$?
    fi
    record "$name" "$status"
}

run_scenario hot 100
run_scenario spread 100000
run_mixed mixed 20 25
run_mixed mixed-100k 100 250

echo "stress: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
