#!/usr/bin/env bash
# Inside a throwaway cluster (PG* set, superuser): runs the matrix of
# clients/go/bench/run.sh and appends one JSON record per run to $RECORDS.
# Needs BIN (the built binaries), SECONDS_PER_RUN, BUYERS, REPEATS, RECORDS. The runs
# of one cell are interleaved with the other handlers' at the same load, so that a
# disturbance of a few seconds does not land on one handler only.
set -euo pipefail
DB=flashsale_bench
HANDLERS=(extension article extension+ids)
declare -A TICKETS=([spread]=200000 [hot]=100)
WORKLOADS=(spread hot)

say() { printf '==> %s\n' "$*" >&2; }
psql_db() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" 2>/dev/null
psql_db -c "CREATE EXTENSION ticketing"
export PGDATABASE=$DB

pids=()
logs=$(mktemp -d)
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$logs"
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# start_service HANDLER: starts flashsale on a free port; sets URL.
start_service() {
    local handler=$1 log="$logs/$1.log" i addr
    "$BIN/flashsale" -listen 127.0.0.1:0 -handler "$handler" -pool 32 2>"$log" &
    pids+=($!)
    for i in $(seq 100); do
        addr=$(sed -n 's/.*listening on \(.*\)$/\1/p' "$log")
        if [ -n "$addr" ]; then
            URL="http://$addr"
            return
        fi
        sleep 0.1
    done
    say "flashsale ($handler) did not start:"; cat "$log" >&2
    exit 1
}

declare -A URLS
start_service extension
URLS[extension]=$URL
URLS[extension+ids]=$URL
start_service article
URLS[article]=$URL

for workload in "${WORKLOADS[@]}"; do
    for buyers in $BUYERS; do
        for repeat in $(seq "$REPEATS"); do
        for handler in "${HANDLERS[@]}"; do
            event=$(psql_db -c "SELECT ticketing.create_event('$workload $handler $buyers')")
            psql_db -c "SELECT ticketing.add_tickets($event, ${TICKETS[$workload]})" >/dev/null
            psql_db -c "ANALYZE ticketing.tickets" >/dev/null
            ids=false
            [ "$handler" = extension+ids ] && ids=true
            say "$workload, $buyers buyers, $handler, run $repeat of $REPEATS (event $event)"
            "$BIN/flashload" -url "${URLS[$handler]}" -event "$event" -tickets "${TICKETS[$workload]}" \
                -concurrency "$buyers" -duration "${SECONDS_PER_RUN}s" -warmup 1s -request-ids="$ids" \
                -handler "${handler%+ids}" -workload "$workload" >>"$RECORDS"
        done
        done
    done
done

problems=$(psql_db -c "SELECT count(*) FROM ticketing.verify()")
if [ "$problems" != 0 ]; then
    say "verify() reports $problems problems"
    psql_db -c "SELECT * FROM ticketing.verify() LIMIT 20" >&2
    exit 1
fi
say "verify(): clean"
