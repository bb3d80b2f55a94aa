#!/usr/bin/env bash
# The scale-out benchmark: claims/s and CPU per claim of a single node (direct), of a
# router over 2 and 4 shards (ticketing_router, PL/Proxy), and of pgbouncer in transaction
# mode at 500 and 1,000 clients in front of one node, all on this machine. Every node
# shares the same cores, so the figures that carry over to separate machines are the CPU
# per claim (router, shards, pooler) and the ratios, not the routed claims/s.
#
#   bash bench/scaleout.sh [--quick] [--out FILE.md]
#
# As root, outside any cluster; the extensions installed (or TICKETING_EXTENSION_DESTDIR,
# a private `make install DESTDIR=...`). Writes raw results (TSV) and the report
# (default docs/scaleout-results.md). --quick: one short run per cell, for a smoke test.
set -uo pipefail
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$BENCH_ROOT/../scripts/common.sh"
source "$BENCH_ROOT/scaleout/nodes.sh"
source "$BENCH_ROOT/scaleout/configs.sh"

DURATION=10
REPEATS=3
OUT="$TICKETING_ROOT/docs/scaleout-results.md"
while [ $# -gt 0 ]; do
    case $1 in
        --quick) DURATION=3 REPEATS=1 SALE_TICKETS=2000 ;;
        --out) OUT=$2; shift ;;
        *) echo "usage: bash bench/scaleout.sh [--quick] [--out FILE.md]" >&2; exit 2 ;;
    esac
    shift
done
ROUTED_CLIENTS=16
DIRECT_CLIENTS=(8 16 32 64)

require_root
ensure_packages postgresql-15-plproxy pgbouncer postgresql-contrib
SCALE_DIR=$(mktemp -d /tmp/ticketing-scaleout-bench.XXXXXX)
chown postgres: "$SCALE_DIR"
RESULTS="$SCALE_DIR/results.tsv"
trap 'stop_config; rm -rf --one-file-system "$SCALE_DIR"' EXIT
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
HZ=$(getconf CLK_TCK)
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

printf 'config\tworkload\tprotocol\tclients\trun\tper_call\tcalls\ttps\tfailed\tsales\trouter_us\tshards_us\tbouncer_us\trouter_exec_us\tshard_exec_us\n' >"$RESULTS"

# exec_us_per_call PORTS...: mean executor time per claim statement on these nodes
# (pg_stat_statements), summed over them, then reset.
exec_us_per_call() {
    local port total=0 v
    for port in "$@"; do
        v=$(npsql "$port" -d "$BENCH_DB" -c "SELECT coalesce(sum(total_exec_time) * 1000 / nullif(sum(calls), 0), 0)
                                              FROM pg_stat_statements WHERE query LIKE '%ticketing.claim_%'")
        total=$(awk -v a="$total" -v b="$v" 'BEGIN { printf "%.1f", a + b }')
        npsql "$port" -d "$BENCH_DB" -c "SELECT pg_stat_statements_reset()" >/dev/null
    done
    echo "$total"
}


# cell CONFIG WORKLOAD PROTOCOL CLIENTS [SCRIPT [RUNS]]: RUNS (default REPEATS) runs of
# DURATION seconds of a pgbench script (default: the workload's).
cell() {
    local config=$1 workload=$2 protocol=$3 clients=$4 run out calls tps failed
    local script=${5:-$BENCH_ROOT/scaleout/$workload.sql} runs=${6:-$REPEATS}
    local before after sales0 sales1 threads=2 per_call=1
    [ "$clients" -ge 500 ] && threads=4
    [ "$workload" = batch ] && per_call=20
    [ "$workload" = batch100 ] && per_call=100
    for ((run = 1; run <= runs; run++)); do
        [ "$workload" = refusal ] || reset_sales
        # shellcheck disable=SC2046 # one argument per port
        exec_us_per_call $(node_ports) >/dev/null
        [ -n "${NODES[0]:-}" ] && [ "${NODES[0]}" = router ] && exec_us_per_call "$ROUTER_PORT" >/dev/null
        sales0=$(sales_so_far)
        before=$(config_cpu_ticks)
        out=$(as_pg "$PG_BINDIR/pgbench" -n -h "$ENTRY_HOST" -p "$ENTRY_PORT" -U postgres -M "$protocol" \
            -c "$clients" -j "$threads" -T "$DURATION" -D sale_events="$SALE_EVENTS" \
            -D sale_tickets="$SALE_TICKETS" -f "$script" "$BENCH_DB" 2>&1)
        sleep 1 # let exiting backends be reaped, so their CPU is in the postmaster's cutime
        after=$(config_cpu_ticks)
        sales1=$(sales_so_far)
        calls=$(grep -oP 'number of transactions actually processed: \K[0-9]+' <<<"$out")
        tps=$(grep -oP 'tps = \K[0-9.]+' <<<"$out" | head -1)
        failed=$(grep -oP 'number of failed transactions: \K[0-9]+' <<<"$out")
        if [ -z "$calls" ] || [ "$calls" -eq 0 ]; then
            say "$config $workload $clients: pgbench failed"
            echo "$out" | tail -5 >&2
            continue
        fi
        local router_exec=0 shard_exec
        # shellcheck disable=SC2046 # one argument per port
        shard_exec=$(exec_us_per_call $(node_ports))
        [ "${NODES[0]}" = router ] && router_exec=$(exec_us_per_call "$ROUTER_PORT")
        read -r r0 s0 b0 <<<"$before"
        read -r r1 s1 b1 <<<"$after"
        awk -v OFS='\t' -v c="$config" -v w="$workload" -v p="$protocol" -v n="$clients" -v run="$run" \
            -v pc="$per_call" -v calls="$calls" -v tps="$tps" -v failed="${failed:-0}" -v sales=$((sales1 - sales0)) \
            -v r=$((r1 - r0)) -v s=$((s1 - s0)) -v b=$((b1 - b0)) -v hz="$HZ" \
            -v rx="$router_exec" -v sx="$shard_exec" \
            'BEGIN { f = 1e6 / hz / (calls * pc)
                     print c, w, p, n, run, pc, calls * pc, tps * pc, failed, sales, r * f, s * f, b * f, rx, sx }' \
            | tee -a "$RESULTS" >&2
    done
}

# check_config PORT: verify() through the entry node must be empty (no oversell).
check_config() {
    local problems
    problems=$(npsql "$1" -d "$BENCH_DB" -c "SELECT count(*) FROM ticketing.verify()")
    printf 'verify\t%s\t%s\n' "$2" "$problems" >>"$SCALE_DIR/verify.tsv"
    [ "$problems" = 0 ] || say "$2: verify() reports $problems problems"
}

say "direct: one node"
start_direct || exit 1
for c in "${DIRECT_CLIENTS[@]}"; do cell direct sale prepared "$c"; done
best=$(awk -F'\t' '$1 == "direct" && $2 == "sale" { s[$4] += $7; n[$4]++ }
                   END { for (c in s) if (s[c] / n[c] > m) { m = s[c] / n[c]; b = c }; print b }' "$RESULTS")
say "direct: best client count $best"
cell direct refusal prepared "$ROUTED_CLIENTS"
cell direct batch prepared "$ROUTED_CLIENTS"
cell direct batch100 prepared "$ROUTED_CLIENTS"
cell direct sale extended "$best"
check_config "$DIRECT_PORT" direct
stop_config

# variants: the refusal workload through other forms of the routed call (variants.sql),
# in turns, REPEATS rounds: what each choice of the shipped function saves.
variants() {
    local round v script
    npsql "$ROUTER_PORT" -d "$BENCH_DB" -f "$BENCH_ROOT/scaleout/variants.sql" >/dev/null
    for ((round = 1; round <= REPEATS; round++)); do
        for v in shipped v_select_star v_unchecked v_default_query v_route_with_set v_bare_hash v_no_claim text_io; do
            script="$SCALE_DIR/variant-$v.sql"
            case $v in
                shipped | text_io) cp "$BENCH_ROOT/scaleout/refusal.sql" "$script" ;;
                *) sed "s/ticketing\.claim_ticket(/ticketing.$v(/" "$BENCH_ROOT/scaleout/refusal.sql" >"$script" ;;
            esac
            chmod 644 "$script"
            [ "$v" = text_io ] && npsql "$ROUTER_PORT" -d "$BENCH_DB" -c "ALTER SERVER ticketing_shards OPTIONS (ADD disable_binary '1')"
            cell "variant:$v" refusal prepared "$ROUTED_CLIENTS" "$script" 1
            [ "$v" = text_io ] && npsql "$ROUTER_PORT" -d "$BENCH_DB" -c "ALTER SERVER ticketing_shards OPTIONS (DROP disable_binary)"
        done
    done
}

for shards in 2 4; do
    say "routed: a router and $shards shards"
    start_routed "$shards" || exit 1
    cell "routed-$shards" sale prepared "$ROUTED_CLIENTS"
    cell "routed-$shards" refusal prepared "$ROUTED_CLIENTS"
    cell "routed-$shards" batch prepared "$ROUTED_CLIENTS"
    cell "routed-$shards" batch100 prepared "$ROUTED_CLIENTS"
    if [ "$shards" = 2 ]; then
        say "routed: variants of the routed call"
        variants
    fi
    check_config "$ROUTER_PORT" "routed-$shards"
    stop_config
done

say "pgbouncer: transaction pooling, pool of $best"
start_bouncer "$best" || exit 1
for c in 500 1000; do cell "pgbouncer-$best" sale extended "$c"; done
check_config "$DIRECT_PORT" pgbouncer
stop_config

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
cp "$RESULTS" "${OUT%.md}.tsv"
"${PYTHON:-python3}" "$BENCH_ROOT/scaleout/report.py" "$RESULTS" "$SCALE_DIR/verify.tsv" \
    --started "$STARTED" --duration "$DURATION" --repeats "$REPEATS" \
    --load "$LOAD_BEFORE -> $LOAD_AFTER" --commit "$(git -C "$TICKETING_ROOT" rev-parse --short HEAD 2>/dev/null)" \
    --command "bash bench/scaleout.sh$([ "$REPEATS" = 1 ] && echo ' --quick')" >"$OUT"
say "report: $OUT (raw: ${OUT%.md}.tsv)"
problems=$(awk -F'\t' '$3 != 0' "$SCALE_DIR/verify.tsv" | wc -l)
echo "scaleout-bench: $(wc -l <"$SCALE_DIR/verify.tsv") configurations, $problems with verify() problems"
[ "$problems" -eq 0 ]
