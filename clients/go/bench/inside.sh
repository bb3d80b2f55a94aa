#!/usr/bin/env bash
# Inside a throwaway cluster (PG* set, superuser): runs the matrix of
# clients/go/bench/run.sh and appends one JSON record per run to $RECORDS.
# Needs BIN (the built binaries), SECONDS_PER_RUN, BUYERS, REPEATS, RECORDS, WORK (a
# directory for the Redis servers' files, on the same disk as the cluster). The runs of
# one cell are interleaved with the other handlers' at the same load, so that a
# disturbance of a few seconds does not land on one handler only.
#
# Handlers: extension (one claim_ticket per request, -coalesce=off), coalesced (the
# service's default: concurrent claims of an event in one claim_batch), article (the
# client-side transaction), redis-always and redis-everysec (-backend=redis against a
# redis-server with appendonly yes and appendfsync always / everysec); "+ids" sends a
# unique Idempotency-Key with every request (hot workload only: keyed refusals).
# COALESCE_FLAGS: more flags for the coalesced service (its -coalesce-* settings).
# COALESCE_ALT_FLAGS: starts a second coalesced service with these flags, handler
# "coalesced-alt" (name it in HANDLERS_*), so two settings run interleaved in one run.
set -euo pipefail
DB=flashsale_bench
HANDLERS_spread=${HANDLERS_spread:-"extension coalesced article redis-always redis-everysec"}
HANDLERS_hot=${HANDLERS_hot:-"extension extension+ids coalesced coalesced+ids article redis-always redis-everysec"}
declare -A TICKETS=([spread]=200000 [hot]=100)
# shellcheck disable=SC2206 # the environment gives the workloads as words
WORKLOADS=(${WORKLOADS:-spread hot})

say() { printf '==> %s\n' "$*" >&2; }
psql_db() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

# 1,024 buyers hold 1,024 connections to the service, and the service as many.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
ulimit -n 65536 2>/dev/null || true

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

# start_service NAME FLAGS...: starts flashsale on a free port; sets URL.
start_service() {
    local name=$1 log="$logs/$1.log" addr
    shift
    "$BIN/flashsale" -listen 127.0.0.1:0 -pool 32 "$@" 2>"$log" &
    pids+=($!)
    for _ in $(seq 100); do
        addr=$(sed -n 's/.*listening on \(.*\)$/\1/p' "$log")
        if [ -n "$addr" ]; then
            URL="http://$addr"
            return
        fi
        sleep 0.1
    done
    say "flashsale ($name) did not start:"; cat "$log" >&2
    exit 1
}

# start_redis FSYNC: a redis-server with the append-only file flushed as FSYNC says,
# on a free port; sets REDIS_PORT.
start_redis() {
    local fsync=$1 dir="$WORK/redis-$1"
    mkdir -p "$dir"
    REDIS_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$dir" --appendonly yes --appendfsync "$fsync" \
        --save "" --daemonize no --logfile "$logs/redis-$fsync.log" &
    pids+=($!)
    for _ in $(seq 100); do
        redis-cli -p "$REDIS_PORT" PING >/dev/null 2>&1 && return
        sleep 0.1
    done
    say "redis-server ($fsync) did not start"; exit 1
}

declare -A URLS REDIS_PORTS
start_service extension -handler extension -coalesce=off
URLS[extension]=$URL
start_service coalesced -handler extension ${COALESCE_FLAGS:-} # e.g. COALESCE_FLAGS=-coalesce-inflight=8
URLS[coalesced]=$URL
if [ -n "${COALESCE_ALT_FLAGS:-}" ]; then
    # shellcheck disable=SC2086 # the flags are words
    start_service coalesced-alt -handler extension $COALESCE_ALT_FLAGS
    URLS[coalesced-alt]=$URL
fi
start_service article -handler article
URLS[article]=$URL
for fsync in always everysec; do
    start_redis "$fsync"
    REDIS_PORTS[redis-$fsync]=$REDIS_PORT
    start_service "redis-$fsync" -backend redis -redis "127.0.0.1:$REDIS_PORT"
    URLS[redis-$fsync]=$URL
done
redis_event=0

# new_event WORKLOAD HANDLER BUYERS: a fresh event for one run; sets EVENT.
new_event() {
    local workload=$1 handler=$2 buyers=$3 tickets=${TICKETS[$1]}
    case $handler in
        redis-*)
            redis_event=$((redis_event + 1))
            EVENT=$redis_event
            redis-cli -p "${REDIS_PORTS[$handler]}" DEL "ev:{$EVENT}:meta" "ev:{$EVENT}:seats" "ev:{$EVENT}:audit" >/dev/null
            redis-cli -p "${REDIS_PORTS[$handler]}" HSET "ev:{$EVENT}:meta" total "$tickets" sold 0 next 1 >/dev/null
            ;;
        *)
            EVENT=$(psql_db -c "SELECT ticketing.create_event('$workload $handler $buyers')")
            psql_db -c "SELECT ticketing.add_tickets($EVENT, $tickets)" >/dev/null
            psql_db -c "ANALYZE ticketing.tickets" >/dev/null
            ;;
    esac
}

for workload in "${WORKLOADS[@]}"; do
    handlers_var=HANDLERS_$workload
    for buyers in $BUYERS; do
        for repeat in $(seq "$REPEATS"); do
            for handler in ${!handlers_var}; do
                new_event "$workload" "$handler" "$buyers"
                ids=false
                [[ $handler == *+ids ]] && ids=true
                say "$workload, $buyers buyers, $handler, run $repeat of $REPEATS (event $EVENT)"
                "$BIN/flashload" -url "${URLS[${handler%+ids}]}" -event "$EVENT" -tickets "${TICKETS[$workload]}" \
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
# Redis: every sale has its audit record.
for handler in redis-always redis-everysec; do
    port=${REDIS_PORTS[$handler]}
    for event in $(seq "$redis_event"); do
        sold=$(redis-cli -p "$port" HGET "ev:{$event}:meta" sold)
        [ -z "$sold" ] && continue
        audited=$(redis-cli -p "$port" LLEN "ev:{$event}:audit")
        if [ "$sold" != "$audited" ]; then
            say "$handler event $event: $sold sold, $audited audit records"
            exit 1
        fi
    done
done
say "Redis: every sale audited"
