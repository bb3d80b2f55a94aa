#!/usr/bin/env bash
# The router under faults: what bad input costs it, and what a slow shard does to a healthy
# one, on a router and 2 shards on loopback (bench/scaleout/configs.sh), all on this machine.
#
#   bash bench/scaleout_faults.sh [--quick] [--out FILE.md]
#
# 1. Bad input (issue 16, item 18). The same router node holds two databases over the same
#    shard nodes: shop_old with ticketing_router 1.2 (bad input goes to the shard, whose
#    error costs PL/Proxy its connection) over databases shop_old at ticketing 1.2 (a 1.2
#    router cannot read 1.3's results, which have one more column), and shop with the
#    current version (bad input refused on the router). In turns, ROUNDS times: calls/s and the router's and shards' CPU per call
#    of a stream of bad requests (an empty customer), of refusals (already_sold) and of
#    sales, each with CLIENTS pgbench clients, and of claim_batch of 100.
# 2. A slow shard (item 17). pgbouncer (transaction mode, pool POOL) in front of the
#    router; every sale on shard 1 sleeps 1 s in a trigger; SLOW clients buy on shard 1
#    while HEALTHY clients buy on shard 0, through the same pgbouncer. The healthy calls'
#    latency (pgbench's per-call log) and the slow calls' fate, with: no bound; PL/Proxy's
#    query_timeout = 1 (s); statement_timeout on the router's database, with that pool and
#    with a pool larger than the slow callers (BIG_POOL); and the healthy clients alone.
#
# As root, outside any cluster; the extensions installed (or TICKETING_EXTENSION_DESTDIR).
# Writes the report (default docs/scaleout-faults-results.md) and the raw TSV beside it.
set -uo pipefail
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$BENCH_ROOT/../scripts/common.sh"
source "$BENCH_ROOT/scaleout/nodes.sh"
SALE_EVENTS=8 SALE_TICKETS=20000
source "$BENCH_ROOT/scaleout/configs.sh"

DURATION=10
ROUNDS=3
CLIENTS=16
POOL=16
BIG_POOL=96 # more than the slow shard's callers
SLOW=80
HEALTHY=8
ROUTER_TIMEOUT=500ms
OUT="$TICKETING_ROOT/docs/scaleout-faults-results.md"
while [ $# -gt 0 ]; do
    case $1 in
        --quick) DURATION=3 ROUNDS=1 ;;
        --out) OUT=$2; shift ;;
        *) echo "usage: bash bench/scaleout_faults.sh [--quick] [--out FILE.md]" >&2; exit 2 ;;
    esac
    shift
done

require_root
ensure_packages postgresql-15-plproxy pgbouncer postgresql-contrib
SCALE_DIR=$(mktemp -d /tmp/ticketing-faults-bench.XXXXXX)
chown postgres: "$SCALE_DIR"
RESULTS="$SCALE_DIR/results.tsv"
BOUNCER_DIR="$SCALE_DIR/router-bouncer"
ROUTER_BOUNCER_PID=
stop_router_bouncer() {
    [ -n "$ROUTER_BOUNCER_PID" ] && kill "$ROUTER_BOUNCER_PID" 2>/dev/null
    ROUTER_BOUNCER_PID=
    sleep 0.5
}
trap 'stop_router_bouncer; stop_config; rm -rf --one-file-system "$SCALE_DIR"' EXIT
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
HZ=$(getconf CLK_TCK)
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
printf 'part\tconfig\tworkload\tround\tcalls\tcalls_per_s\trouter_us\tshards_us\tavg_ms\tp50_ms\tp99_ms\tmax_ms\tnote\n' >"$RESULTS"

say "a router and 2 shards"
start_routed 2 || exit 1
old_conns=()
for i in 0 1; do
    npsql $((SHARD_PORT + i)) -c "CREATE DATABASE shop_old" >/dev/null
    npsql $((SHARD_PORT + i)) -d shop_old -c "CREATE EXTENSION ticketing VERSION '1.2'" \
        -c "SELECT ticketing.set_shard($i, 2)" >/dev/null
    old_conns+=("'host=127.0.0.1 port=$((SHARD_PORT + i)) dbname=shop_old'")
done
npsql "$ROUTER_PORT" -c "CREATE DATABASE shop_old" >/dev/null
npsql "$ROUTER_PORT" -d shop_old -c "CREATE EXTENSION ticketing_router VERSION '1.2' CASCADE" \
    -c "SELECT ticketing.define_shards(ARRAY[$(IFS=,; echo "${old_conns[*]}")], check_shards => false)" >/dev/null
BENCH_DB=shop_old load_inventory "$ROUTER_PORT"
for i in 0 1; do npsql $((SHARD_PORT + i)) -d shop_old -c "VACUUM ANALYZE" >/dev/null; done
for db in shop shop_old; do
    npsql "$ROUTER_PORT" -d "$db" >/dev/null <<'SQL'
CREATE FUNCTION public.attempt(event bigint, ticket bigint, customer text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT r.outcome FROM ticketing.claim_ticket(event, ticket, customer, wait => '250ms') r);
EXCEPTION WHEN OTHERS OR query_canceled THEN
    RETURN SQLSTATE;
END $$;
CREATE TABLE public.slow_answers (outcome text, ms double precision);
CREATE FUNCTION public.attempt_noted(event bigint, ticket bigint, customer text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    started timestamptz := clock_timestamp();
BEGIN
    INSERT INTO public.slow_answers
    VALUES (public.attempt(event, ticket, customer), 1000 * date_part('epoch', clock_timestamp() - started));
END $$;
SQL
done

# run DB CLIENTS SCRIPT [pgbench options...]: one pgbench run against the router (or the
# pgbouncer in front of it, with -h/-p in the options); prints "calls calls/s".
run() {
    local db=$1 clients=$2 script=$3 out
    shift 3
    out=$(as_pg "$PG_BINDIR/pgbench" -n -h 127.0.0.1 -p "$ROUTER_PORT" -U postgres -M prepared -c "$clients" -j 2 \
        -T "$DURATION" -D sale_events="$SALE_EVENTS" -D sale_tickets="$SALE_TICKETS" "$@" -f "$script" "$db" 2>&1)
    local calls tps
    calls=$(grep -oP 'number of transactions actually processed: \K[0-9]+' <<<"$out")
    tps=$(grep -oP 'tps = \K[0-9.]+' <<<"$out" | head -1)
    [ -n "$calls" ] || { echo "$out" | tail -3 >&2; calls=0 tps=0; }
    echo "$calls $tps"
}

cpu_split() {
    local router shards=0 n
    router=$(node_cpu_ticks router)
    for n in s0 s1; do shards=$((shards + $(node_cpu_ticks "$n"))); done
    echo "$router $shards"
}

say "1. bad input, refusals, sales and batches of 100: router 1.2 (shop_old) and current (shop), in turns"
for ((round = 1; round <= ROUNDS; round++)); do
    for workload in bad_input refusal sale batch100; do
        for db in shop_old shop; do
            [ "$workload" = sale ] && { reset_sales; BENCH_DB=shop_old reset_sales; }
            read -r r0 s0 < <(cpu_split)
            read -r calls tps < <(run "$db" "$CLIENTS" "$BENCH_ROOT/scaleout/$workload.sql")
            sleep 1
            read -r r1 s1 < <(cpu_split)
            per=1
            [ "$workload" = batch100 ] && per=100
            config=$([ "$db" = shop_old ] && echo "router 1.2" || echo "router current")
            awk -v OFS='\t' -v c="$config" -v w="$workload" -v rd="$round" -v calls="$calls" -v tps="$tps" \
                -v per="$per" -v r=$((r1 - r0)) -v s=$((s1 - s0)) -v hz="$HZ" \
                'BEGIN { f = calls > 0 ? 1e6 / hz / (calls * per) : 0
                         print "bad_input", c, w, rd, calls * per, tps * per, r * f, s * f, "", "", "", "", "" }' \
                | tee -a "$RESULTS" >&2
        done
    done
done
check=$(npsql "$ROUTER_PORT" -d "$BENCH_DB" -c "SELECT count(*) FROM ticketing.verify()")
[ "$check" = 0 ] || say "verify() reports $check problems after part 1"

say "2. a slow shard behind pgbouncer (pool $POOL): $SLOW slow callers, $HEALTHY healthy ones"
reset_sales
slow_event=$(npsql "$ROUTER_PORT" -d "$BENCH_DB" -c "SELECT min(e) FROM generate_series(1, $SALE_EVENTS) e WHERE ticketing.shard_of(e) = 1")
healthy_event=$(npsql "$ROUTER_PORT" -d "$BENCH_DB" -c "SELECT min(e) FROM generate_series(1, $SALE_EVENTS) e WHERE ticketing.shard_of(e) = 0")
npsql $((SHARD_PORT + 1)) -d "$BENCH_DB" >/dev/null <<SQL
CREATE FUNCTION public.sleep_first() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
    IF NEW.event_id = $slow_event THEN
        PERFORM pg_sleep(1);
    END IF;
    RETURN NEW;
END \$\$;
CREATE TRIGGER sleep_first BEFORE UPDATE ON ticketing.tickets FOR EACH ROW EXECUTE FUNCTION public.sleep_first();
SQL
mkdir -p "$BOUNCER_DIR" && chown postgres: "$BOUNCER_DIR"
start_router_bouncer() {
    local pool=$1
    echo '"postgres" ""' >"$BOUNCER_DIR/users.txt"
    cat >"$BOUNCER_DIR/pgbouncer.ini" <<INI
[databases]
$BENCH_DB = host=127.0.0.1 port=$ROUTER_PORT dbname=$BENCH_DB
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $ROUTER_BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $BOUNCER_DIR/users.txt
pool_mode = transaction
default_pool_size = $pool
max_db_connections = $pool
max_client_conn = 1200
logfile = $BOUNCER_DIR/pgbouncer.log
pidfile = $BOUNCER_DIR/pgbouncer.pid
INI
    chown postgres: "$BOUNCER_DIR"/*
    rm -f "$BOUNCER_DIR/pgbouncer.pid"
    as_pg /usr/sbin/pgbouncer -d "$BOUNCER_DIR/pgbouncer.ini" || return 1
    local i
    for i in $(seq 50); do [ -s "$BOUNCER_DIR/pgbouncer.pid" ] && break; sleep 0.1; done
    if [ ! -s "$BOUNCER_DIR/pgbouncer.pid" ]; then
        say "pgbouncer did not start:"
        tail -3 "$BOUNCER_DIR/pgbouncer.log" >&2
        return 1
    fi
    ROUTER_BOUNCER_PID=$(cat "$BOUNCER_DIR/pgbouncer.pid")
}

# latency_stats LOGPREFIX: "avg p50 p99 max" in ms over pgbench's per-call logs.
latency_stats() {
    cat "$1".* 2>/dev/null | awk '{ print $3 / 1000 }' | sort -n |
        awk '{ v[NR] = $1; s += $1 }
             END { if (NR == 0) { print "- - - -"; exit }
                   i50 = int(NR * 0.50) + 1; if (i50 > NR) i50 = NR
                   i99 = int(NR * 0.99) + 1; if (i99 > NR) i99 = NR
                   printf "%.2f %.2f %.2f %.2f\n", s / NR, v[i50], v[i99], v[NR] }'
}

# slow_case NAME WITH_SLOW_CALLERS [POOL]: one run of the healthy callers, with or without
# the slow shard's callers beside them, through a fresh pgbouncer (pool POOL).
slow_case() {
    local config=$1 with_slow=$2 pool=${3:-$POOL} logs="$SCALE_DIR/log-$RANDOM" slow_pid='' calls tps sold0 sold1 note=
    mkdir -p "$logs" && chown postgres: "$logs"
    start_router_bouncer "$pool" || return 1
    npsql "$ROUTER_PORT" -d "$BENCH_DB" -c "TRUNCATE public.slow_answers" >/dev/null
    sold0=$(npsql $((SHARD_PORT + 1)) -d "$BENCH_DB" -c "SELECT count(*) FROM ticketing.audit_log WHERE event_id = $slow_event AND to_status = 'sold'")
    if [ "$with_slow" = yes ]; then
        as_pg "$PG_BINDIR/pgbench" -n -h 127.0.0.1 -p "$ROUTER_BOUNCER_PORT" -U postgres -M extended -c "$SLOW" -j 2 -T $((DURATION + 3)) \
            -D sale_tickets="$SALE_TICKETS" -D slow_event="$slow_event" -f "$BENCH_ROOT/scaleout/slow_caller.sql" \
            "$BENCH_DB" >"$logs/slow.out" 2>&1 &
        slow_pid=$!
        sleep 2 # the slow callers take the pool first, and keep at it past the healthy run
    fi
    read -r calls tps < <(cd "$logs" && run "$BENCH_DB" "$HEALTHY" "$BENCH_ROOT/scaleout/healthy_caller.sql" \
        -h 127.0.0.1 -p "$ROUTER_BOUNCER_PORT" -M extended -D healthy_event="$healthy_event" -l --log-prefix="$logs/healthy")
    [ -n "$slow_pid" ] && wait "$slow_pid"
    sleep 2 # slow statements still running on the shard end or are cancelled
    sold1=$(npsql $((SHARD_PORT + 1)) -d "$BENCH_DB" -c "SELECT count(*) FROM ticketing.audit_log WHERE event_id = $slow_event AND to_status = 'sold'")
    if [ "$with_slow" = yes ]; then
        note=$(npsql "$ROUTER_PORT" -d "$BENCH_DB" -c "SELECT sum(n) || ' slow calls: ' || string_agg(n || ' ' || outcome, ', ')
                                                 || '; ' || $((sold1 - sold0)) || ' sold on the slow shard; slow calls took up to '
                                                 || (SELECT round(max(ms)) FROM public.slow_answers) || ' ms'
                                                FROM (SELECT outcome, count(*) n FROM public.slow_answers GROUP BY 1 ORDER BY 2 DESC) a")
    fi
    read -r avg p50 p99 max < <(latency_stats "$logs/healthy")
    printf 'slow_shard\t%s, pool %s\thealthy\t1\t%s\t%s\t\t\t%s\t%s\t%s\t%s\t%s\n' "$config" "$pool" "$calls" "$tps" "$avg" "$p50" "$p99" "$max" "$note" \
        | tee -a "$RESULTS" >&2
    stop_router_bouncer
    rm -rf --one-file-system "$logs"
}

slow_case "healthy callers alone" no
slow_case "no bound" yes
npsql "$ROUTER_PORT" -d "$BENCH_DB" -c "ALTER SERVER ticketing_shards OPTIONS (ADD query_timeout '1')" >/dev/null
slow_case "PL/Proxy query_timeout = 1" yes
npsql "$ROUTER_PORT" -d "$BENCH_DB" -c "ALTER SERVER ticketing_shards OPTIONS (DROP query_timeout)" >/dev/null
npsql "$ROUTER_PORT" -c "ALTER DATABASE $BENCH_DB SET statement_timeout = '$ROUTER_TIMEOUT'" >/dev/null
slow_case "router statement_timeout = $ROUTER_TIMEOUT" yes
slow_case "router statement_timeout = $ROUTER_TIMEOUT" yes $BIG_POOL
npsql "$ROUTER_PORT" -c "ALTER DATABASE $BENCH_DB RESET statement_timeout" >/dev/null

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
cp "$RESULTS" "${OUT%.md}.tsv"
{
    echo "# Router under faults: bad input and a slow shard"
    echo
    echo "\`bash bench/scaleout_faults.sh$([ "$ROUNDS" = 1 ] && echo ' --quick')\` at $(git -C "$TICKETING_ROOT" rev-parse --short HEAD 2>/dev/null), $STARTED;"
    echo "$(nproc) cores shared by a router, 2 shards and pgbench (and pgbouncer in part 2); load average $LOAD_BEFORE -> $LOAD_AFTER."
    echo "$DURATION s per run. Raw: [$(basename "${OUT%.md}.tsv")]($(basename "${OUT%.md}.tsv"))."
    echo
    echo "## 1. Bad input, before (router 1.2) and after (current), $CLIENTS clients, $ROUNDS rounds in turns (median; range)"
    echo
    echo "| workload | router | calls/s | router CPU µs/call | shards CPU µs/call |"
    echo "|---|---|---:|---:|---:|"
    awk -F'\t' '$1 == "bad_input" { k = $3 "\t" $2; n[k]++; t[k, n[k]] = $6; r[k, n[k]] = $7; s[k, n[k]] = $8 }
        function med(a, k, c,   i, j, v, x) { for (i = 1; i <= c; i++) v[i] = a[k, i]
            for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
            return c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2 }
        function rng(a, k, c,   i, lo, hi) { lo = hi = a[k, 1]; for (i = 2; i <= c; i++) { if (a[k, i] < lo) lo = a[k, i]; if (a[k, i] > hi) hi = a[k, i] }
            return c > 1 ? sprintf(" (%.0f-%.0f)", lo, hi) : "" }
        END { for (k in n) { split(k, p, "\t")
                printf "| %s | %s | %.0f%s | %.0f | %.0f |\n", p[1], p[2], med(t, k, n[k]), rng(t, k, n[k]), med(r, k, n[k]), med(s, k, n[k]) } }' \
        "$RESULTS" | sort
    echo
    echo "bad_input: claim_ticket with an empty customer, caught on the router by a PL/pgSQL"
    echo "function so that pgbench goes on (one subtransaction per call in both columns);"
    echo "refusal: already_sold; sale: a free seat; batch100: claim_batch of 100, per claim."
    echo
    echo "## 2. A slow shard (1 s per sale) behind pgbouncer: $HEALTHY clients on the healthy shard, $SLOW on the slow one"
    echo
    echo "| case | healthy calls/s | avg ms | p50 ms | p99 ms | max ms | the slow shard's callers |"
    echo "|---|---:|---:|---:|---:|---:|---|"
    awk -F'\t' '$1 == "slow_shard" { printf "| %s | %.0f | %s | %s | %s | %s | %s |\n", $2, $6, $9, $10, $11, $12, ($13 == "" ? "-" : $13) }' "$RESULTS"
} >"$OUT"
say "report: $OUT"
cat "$OUT"
