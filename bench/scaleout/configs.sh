# The configurations the scale-out benchmark compares (bench/scaleout.sh), each started
# from nothing and stopped after its cells: a single node (direct), a router over 2 or 4
# shards, pgbouncer in transaction mode in front of a single node. Every configuration
# gets the same inventory under the same event ids. Sourced, not run; needs nodes.sh.

# Every port the scale-out benchmarks listen on. Below Linux's ephemeral range
# (32768-60999): on 555xx a 4-shard configuration once could not start, a client socket
# holding port 55514.
DIRECT_PORT=25500
ROUTER_PORT=25510
SHARD_PORT=25511         # shard i listens on SHARD_PORT + i
BOUNCER_PORT=25520       # pgbouncer in front of the direct node
# shellcheck disable=SC2034 # read by bench/scaleout_faults.sh
ROUTER_BOUNCER_PORT=25530 # pgbouncer in front of the router (bench/scaleout_faults.sh)

BENCH_DB=shop
SALE_EVENTS=${SALE_EVENTS:-64}
SALE_TICKETS=${SALE_TICKETS:-20000}
SOLD_EVENTS=8 # ids SALE_EVENTS+1 .. SALE_EVENTS+8: sold out, every claim answers already_sold

NODES=()       # node names of the running configuration
ENTRY_PORT=    # where clients connect
ENTRY_HOST=
BOUNCER_PID=

# load_inventory PORT: the events through that node (a router spreads them over its shards).
load_inventory() {
    local port=$1
    npsql "$port" -d "$BENCH_DB" -c "SELECT ticketing.add_tickets(ticketing.create_event('sale ' || g), $SALE_TICKETS)
                                       FROM generate_series(1, $SALE_EVENTS) g" >/dev/null
    # Sold out through the API (claim_batch), so the audit trail stays consistent.
    npsql "$port" -d "$BENCH_DB" -c "SELECT ticketing.add_tickets(ticketing.create_event('sold out ' || g), 1000)
                                       FROM generate_series(1, $SOLD_EVENTS) g" >/dev/null
    npsql "$port" -d "$BENCH_DB" -c "SELECT count(*) FROM generate_series($SALE_EVENTS + 1, $SALE_EVENTS + $SOLD_EVENTS) e,
                                       ticketing.claim_batch(e, ARRAY(SELECT ROW(g, 'early', NULL)::ticketing.claim_request
                                                                      FROM generate_series(1, 1000) g))" >/dev/null
}

new_db_with() {
    npsql "$1" -c "CREATE DATABASE $BENCH_DB" >/dev/null
    npsql "$1" -d "$BENCH_DB" -c "CREATE EXTENSION $2 CASCADE" -c "CREATE EXTENSION pg_stat_statements" >/dev/null
}

start_direct() {
    node_start direct "$DIRECT_PORT" || return 1
    NODES=(direct)
    new_db_with "$DIRECT_PORT" ticketing
    load_inventory "$DIRECT_PORT"
    npsql "$DIRECT_PORT" -d "$BENCH_DB" -c "VACUUM ANALYZE" >/dev/null
    ENTRY_HOST=127.0.0.1 ENTRY_PORT=$DIRECT_PORT
}

# start_routed N: shards s0..s(N-1) on ports SHARD_PORT.., router on ROUTER_PORT; the router reaches
# the shards over TCP on loopback, as it would over a network.
start_routed() {
    local n=$1 i conns=()
    NODES=(router)
    for ((i = 0; i < n; i++)); do
        node_start "s$i" $((SHARD_PORT + i)) || return 1
        new_db_with $((SHARD_PORT + i)) ticketing
        npsql $((SHARD_PORT + i)) -d "$BENCH_DB" -c "SELECT ticketing.set_shard($i, $n)" >/dev/null
        conns+=("'host=127.0.0.1 port=$((SHARD_PORT + i)) dbname=$BENCH_DB'")
        NODES+=("s$i")
    done
    node_start router "$ROUTER_PORT" || return 1
    new_db_with "$ROUTER_PORT" ticketing_router
    # The router's owner reaches the shards as itself (trust on loopback).
    npsql "$ROUTER_PORT" -d "$BENCH_DB" -c "SELECT ticketing.define_shards(ARRAY[$(IFS=,; echo "${conns[*]}")], check_shards => false)" \
        -c "CREATE USER MAPPING FOR CURRENT_USER SERVER ticketing_shards" \
        -c "SELECT ticketing.define_shards(ARRAY[$(IFS=,; echo "${conns[*]}")])" >/dev/null || return 1
    load_inventory "$ROUTER_PORT"
    for ((i = 0; i < n; i++)); do npsql $((SHARD_PORT + i)) -d "$BENCH_DB" -c "VACUUM ANALYZE" >/dev/null; done
    ENTRY_HOST=127.0.0.1 ENTRY_PORT=$ROUTER_PORT
}

# start_bouncer POOL: a node and pgbouncer (transaction pooling, POOL server connections)
# listening on loopback port BOUNCER_PORT.
start_bouncer() {
    local pool=$1 dir="$SCALE_DIR/bouncer"
    start_direct || return 1
    mkdir -p "$dir" && chown postgres: "$dir"
    echo '"postgres" ""' >"$dir/users.txt"
    cat >"$dir/pgbouncer.ini" <<INI
[databases]
$BENCH_DB = host=127.0.0.1 port=$DIRECT_PORT dbname=$BENCH_DB

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $dir/users.txt
pool_mode = transaction
default_pool_size = $pool
max_db_connections = $pool
max_client_conn = 1200
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
    chown postgres: "$dir"/*
    as_pg /usr/sbin/pgbouncer -d "$dir/pgbouncer.ini" || return 1
    local i
    for i in $(seq 50); do
        [ -s "$dir/pgbouncer.pid" ] && break
        sleep 0.1
    done
    BOUNCER_PID=$(cat "$dir/pgbouncer.pid")
    # shellcheck disable=SC2034 # read by bench/scaleout.sh
    ENTRY_HOST=127.0.0.1 ENTRY_PORT=$BOUNCER_PORT
}

stop_config() {
    if [ -n "$BOUNCER_PID" ]; then
        kill "$BOUNCER_PID" 2>/dev/null
        BOUNCER_PID=
    fi
    local n
    for n in "${NODES[@]}"; do
        node_stop "$n"
        rm -rf --one-file-system "${SCALE_DIR:?}/$n" "$SCALE_DIR/$n".*
    done
    NODES=()
}

# config_cpu_ticks: CPU used so far by the nodes of the configuration, as "ROUTER SHARDS
# BOUNCER" (the router column is 0 without a router; a direct node counts as a shard).
config_cpu_ticks() {
    local n router=0 shards=0 bouncer=0
    for n in "${NODES[@]}"; do
        if [ "$n" = router ]; then
            router=$(node_cpu_ticks "$n")
        else
            shards=$((shards + $(node_cpu_ticks "$n")))
        fi
    done
    [ -n "$BOUNCER_PID" ] && bouncer=$(pid_cpu_ticks "$BOUNCER_PID")
    echo "$router $shards $bouncer"
}

# reset_sales: every ticket of the sale events available again and their audit rows gone,
# on every node holding events, so each sale run starts from the same inventory.
reset_sales() {
    local port
    for port in $(node_ports); do
        npsql "$port" -d "$BENCH_DB" \
            -c "UPDATE ticketing.tickets SET status = 'available', owner = NULL, hold_expires_at = NULL
                 WHERE event_id <= $SALE_EVENTS AND status <> 'available'" \
            -c "DELETE FROM ticketing.audit_log WHERE event_id <= $SALE_EVENTS" \
            -c "VACUUM ANALYZE ticketing.tickets" -c "VACUUM ANALYZE ticketing.audit_log" >/dev/null
    done
}

# node_ports: the ports of the nodes holding events (not the router).
node_ports() {
    local n
    for n in "${NODES[@]}"; do
        [ "$n" = router ] && continue
        sed -n 's/^port = //p' "$SCALE_DIR/$n/data/postgresql.conf" | tail -1
    done
}

# sales_so_far: audit rows recording a sale, over every node holding events.
sales_so_far() {
    local total=0 port
    for port in $(node_ports); do
        total=$((total + $(npsql "$port" -d "$BENCH_DB" -c "SELECT count(*) FROM ticketing.audit_log WHERE to_status = 'sold'")))
    done
    echo "$total"
}
