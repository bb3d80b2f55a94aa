#!/usr/bin/env bash
# Where the time goes: CPU per request of each process (the load generator, the service,
# PostgreSQL's backends, or redis-server) for each handler under the spread load, from
# /proc/PID/stat (utime + stime) around one measured run per handler. Inside a throwaway
# cluster (PG* set, superuser), after the handlers' services are reachable:
#   pg_virtualenv -t -o fsync=on -o extension_destdir=DIR env BIN=DIR/bin WORK=DIR bash clients/go/bench/cpu_split.sh
# Prints one Markdown table. Knobs: BUYERS (64), SECONDS_PER_RUN (5), HANDLERS.
set -euo pipefail
say() { printf '==> %s\n' "$*" >&2; }
BUYERS=${BUYERS:-64}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
HANDLERS=${HANDLERS:-"extension coalesced article redis-always"}
DB=flashsale_cpu
TICKETS=${TICKETS:-200000}
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
psql -X -q -d "$DB" -c "CREATE EXTENSION ticketing"
export PGDATABASE=$DB
postmaster=$(head -1 "$(psql -X -A -t -d postgres -c 'SHOW data_directory')/postmaster.pid")
logs=$(mktemp -d)
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

ticks() { # ticks PIDS...: utime + stime summed
    local total=0 pid f
    for pid in "$@"; do
        f=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        f=${f##*) }
        set -- $f
        total=$((total + ${12} + ${13}))
    done
    echo "$total"
}

declare -A URL_OF PID_OF
start() { # start NAME FLAGS...
    local name=$1 log="$logs/$1.log" addr
    shift
    "$BIN/flashsale" -listen 127.0.0.1:0 -pool 32 "$@" 2>"$log" &
    PID_OF[$name]=$!
    pids+=($!)
    for _ in $(seq 100); do
        addr=$(sed -n 's/.*listening on \(.*\)$/\1/p' "$log")
        [ -n "$addr" ] && { URL_OF[$name]="http://$addr"; return; }
        sleep 0.1
    done
    say "flashsale ($name) did not start"; exit 1
}
redis_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$WORK/redis-cpu"
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$WORK/redis-cpu" --appendonly yes --appendfsync always \
    --save "" --daemonize no --logfile "$logs/redis.log" &
redis_pid=$!
pids+=("$redis_pid")
sleep 0.5
start extension -coalesce=off
start coalesced
start article -handler article
start redis-always -backend redis -redis "127.0.0.1:$redis_port"

echo "| handler | requests/s | load generator µs/request | service µs/request | store µs/request | total µs/request |"
echo "|---|---:|---:|---:|---:|---:|"
event=0
for handler in $HANDLERS; do
    ids=false
    [[ $handler == *+ids ]] && ids=true
    service=${handler%+ids}
    if [ "$service" = redis-always ]; then
        event=$((event + 1))
        redis-cli -p "$redis_port" HSET "ev:{$event}:meta" total "$TICKETS" sold 0 next 1 >/dev/null
        store() { echo "$redis_pid"; }
    else
        event=$(psql -X -A -t -q -c "SELECT ticketing.create_event('cpu $handler')")
        psql -X -q -c "SELECT ticketing.add_tickets($event, $TICKETS)" -c "ANALYZE ticketing.tickets" >/dev/null
        store() { pgrep -P "$postmaster"; }
    fi
    "$BIN/flashload" -url "${URL_OF[$service]}" -event "$event" -tickets "$TICKETS" -concurrency "$BUYERS" \
        -duration 1s -warmup 0s >/dev/null 2>&1
    # shellcheck disable=SC2046 # one argument per backend
    s0=$(ticks "${PID_OF[$service]}") d0=$(ticks $(store))
    # The load generator's own CPU: its rusage, reported by a parent that waits for it.
    python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[2:], stdout=open(sys.argv[1], "w"), stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(r.ru_utime + r.ru_stime)' "$logs/run.json" "$BIN/flashload" -url "${URL_OF[$service]}" -event "$event" -tickets "$TICKETS" \
        -concurrency "$BUYERS" -duration "${SECONDS_PER_RUN}s" -warmup 0s -request-ids="$ids" >"$logs/load.cpu"
    # shellcheck disable=SC2046 # one argument per backend
    python3 - "$handler" "$s0" "$(ticks "${PID_OF[$service]}")" "$d0" "$(ticks $(store))" "$(getconf CLK_TCK)" \
        "$logs/run.json" "$(cat "$logs/load.cpu")" <<'PY'
import json, sys
handler, s0, s1, d0, d1, hz, path, load = sys.argv[1:]
run = json.load(open(path))
n = max(run["requests"], 1)
us = lambda ticks: ticks / int(hz) * 1e6 / n
service, store, gen = us(int(s1) - int(s0)), us(int(d1) - int(d0)), float(load) * 1e6 / n
print(f"| {handler} | {run['requests_per_sec']:,.0f} | {gen:.0f} | {service:.0f} | {store:.0f} | {gen + service + store:.0f} |")
PY
done
