#!/usr/bin/env bash
# Inside a throwaway cluster (PG* set, superuser, Debian's postgresql-15-plproxy and the
# ticketing extension installed): what routing costs. A router database (ticketing_router)
# in front of two shard databases, all in this cluster; the same spread load from
# flashload through three services that claim from shard 0:
#   direct   flashsale -dsn dbname=<shard 0>
#   service  flashsale -router dbname=<router> -shards FILE (routed by the service)
#   plproxy  flashsale -dsn dbname=<router> (routed by PL/Proxy on the router)
# each with -coalesce=off (one claim per call) and with coalescing. CPU per claim is the
# CPU time the cluster's processes and the service used during the measured run, over
# the claims answered (/proc/PID/stat, utime + stime; the load generator not counted).
# Writes one Markdown table to OUT. Needs BIN, SECONDS_PER_RUN, ROUTING_BUYERS,
# ROUTING_REPEATS, WORK, OUT.
set -euo pipefail
say() { printf '==> %s\n' "$*" >&2; }
SHARDS=(flashsale_bench_shard0 flashsale_bench_shard1)
ROUTER=flashsale_bench_router
TICKETS=200000

for db in "${SHARDS[@]}" "$ROUTER"; do
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
done
pids=()
cleanup() {
    local pid db
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    for db in "${SHARDS[@]}" "$ROUTER"; do
        psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
}
trap cleanup EXIT
for i in 0 1; do
    psql -X -q -d "${SHARDS[$i]}" -c "CREATE EXTENSION ticketing" -c "SELECT ticketing.set_shard($i, 2)" >/dev/null
done
host=${PGHOST:-localhost} port=${PGPORT:-5432}
mapping="user '$PGUSER'"
[ -n "${PGPASSWORD:-}" ] && mapping+=", password '$PGPASSWORD'"
psql -X -q -d "$ROUTER" -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE EXTENSION ticketing_router CASCADE;
SELECT ticketing.define_shards(ARRAY['host=$host port=$port dbname=${SHARDS[0]}',
                                     'host=$host port=$port dbname=${SHARDS[1]}'], check_shards => false);
CREATE USER MAPPING FOR CURRENT_USER SERVER ticketing_shards OPTIONS ($mapping);
SQL
printf 'dbname=%s\ndbname=%s\n' "${SHARDS[0]}" "${SHARDS[1]}" >"$WORK/shards"
postmaster=$(head -1 "$(psql -X -A -t -d postgres -c 'SHOW data_directory')/postmaster.pid")

logs=$(mktemp -d)
# start NAME FLAGS...: flashsale on a free port; sets URL and SERVICE_PID.
start() {
    local name=$1 log="$logs/$1.log" i addr
    shift
    "$BIN/flashsale" -listen 127.0.0.1:0 -pool 32 "$@" 2>"$log" &
    SERVICE_PID=$!
    pids+=("$SERVICE_PID")
    for i in $(seq 100); do
        addr=$(sed -n 's/.*listening on \(.*\)$/\1/p' "$log")
        [ -n "$addr" ] && { URL="http://$addr"; return; }
        sleep 0.1
    done
    say "flashsale ($name) did not start:"; cat "$log" >&2; exit 1
}
cpu_ticks() { # the cluster's live processes, the children its postmaster reaped, and PIDS
    local total=0 pid f extra="$*"
    f=$(cat "/proc/$postmaster/stat")
    f=${f##*) }
    set -- $f
    total=$((${14} + ${15}))
    for pid in $(pgrep -P "$postmaster") $extra; do
        f=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        f=${f##*) }
        set -- $f
        total=$((total + ${12} + ${13}))
    done
    echo "$total"
}
# new_event: a fresh event on shard 0, through the router; sets EVENT.
new_event() {
    local shard=1
    while [ "$shard" != 0 ]; do
        EVENT=$(psql -X -A -t -q -d "$ROUTER" -c "SELECT ticketing.create_event('routing')")
        shard=$(psql -X -A -t -q -d "$ROUTER" -c "SELECT ticketing.shard_of($EVENT)")
    done
    psql -X -q -d "$ROUTER" -c "SELECT ticketing.add_tickets($EVENT, $TICKETS)" >/dev/null
    psql -X -q -d "${SHARDS[0]}" -c "ANALYZE ticketing.tickets" >/dev/null
}

results=$(mktemp)
declare -A URL_OF PID_OF
for mode in single coalesced; do
    # The three services of one mode at a time (each holds a pool of 32, PL/Proxy as
    # many connections to the shard again).
    flag=-coalesce=off
    [ "$mode" = coalesced ] && flag=-coalesce=on
    started=${#pids[@]}
    start "direct-$mode" -dsn "dbname=${SHARDS[0]}" "$flag"
    URL_OF[direct-$mode]=$URL PID_OF[direct-$mode]=$SERVICE_PID
    start "service-$mode" -router "dbname=$ROUTER" -shards "$WORK/shards" "$flag"
    URL_OF[service-$mode]=$URL PID_OF[service-$mode]=$SERVICE_PID
    start "plproxy-$mode" -dsn "dbname=$ROUTER" "$flag"
    URL_OF[plproxy-$mode]=$URL PID_OF[plproxy-$mode]=$SERVICE_PID
    for _ in $(seq "$ROUTING_REPEATS"); do
        for route in direct service plproxy; do
            name=$route-$mode
            new_event
            "$BIN/flashload" -url "${URL_OF[$name]}" -event "$EVENT" -tickets "$TICKETS" -concurrency "$ROUTING_BUYERS" \
                -duration 1s -warmup 0s >/dev/null 2>&1
            before=$(cpu_ticks "${PID_OF[$name]}")
            "$BIN/flashload" -url "${URL_OF[$name]}" -event "$EVENT" -tickets "$TICKETS" -concurrency "$ROUTING_BUYERS" \
                -duration "${SECONDS_PER_RUN}s" -warmup 0s -handler "$name" -workload routing >"$logs/run.json"
            after=$(cpu_ticks "${PID_OF[$name]}")
            python3 - "$name" "$before" "$after" "$(getconf CLK_TCK)" "$logs/run.json" >>"$results" <<'PY'
import json, sys
name, before, after, hz, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
run = json.load(open(path))
usec = (after - before) / hz * 1e6 / max(run["requests"], 1)
print(name, round(usec, 1), round(run["requests_per_sec"]), run["sales"])
PY
            say "routing: $(tail -1 "$results") (µs/claim, requests/s, sales)"
        done
    done
    for pid in "${pids[@]:$started}"; do kill "$pid"; wait "$pid" 2>/dev/null || true; done
    pids=("${pids[@]:0:$started}")
done
python3 - "$results" "$ROUTING_BUYERS" "$ROUTING_REPEATS" >"$OUT" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, usec, rps, sales = line.split()
    rows.setdefault(name, []).append((float(usec), int(rps)))
print("| claims | route | CPU µs per claim (median; runs) | × direct | requests/s (median) |")
print("|---|---|---:|---:|---:|")
for mode in ("single", "coalesced"):
    base = statistics.median(u for u, _ in rows["direct-" + mode])
    for route, label in (("direct", "direct to the shard"), ("service", "routed by the service"), ("plproxy", "through PL/Proxy")):
        runs = rows[route + "-" + mode]
        med = statistics.median(u for u, _ in runs)
        label_mode = "one claim_ticket per request" if mode == "single" else "coalesced into claim_batch"
        print(f"| {label_mode} | {label} | {med:.0f} ({', '.join(f'{u:.0f}' for u, _ in runs)}) | "
              f"{med / base:.2f}× | {statistics.median(r for _, r in runs):,.0f} |")
PY
