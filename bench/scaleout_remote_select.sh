#!/usr/bin/env bash
# What naming the result's columns in a routed call's remote SELECT costs: the shipped
# claim_ticket of ticketing_router (SELECT r.outcome, ... FROM ticketing.claim_ticket(...)
# AS r, which fails before it runs on a shard at another version) against the same call
# with 1.2's `SELECT * FROM ticketing.claim_ticket(...)` (bench/scaleout/variants.sql:
# v_select_star), on the refusal workload (already_sold), 16 clients, in turns, a router and
# 2 shards on loopback (bench/scaleout/configs.sh). As root, outside any cluster, with the
# extensions installed (or TICKETING_EXTENSION_DESTDIR).
#
#   ROUNDS=10 DURATION=10 bash bench/scaleout_remote_select.sh
#
# One line per run (form, round, calls/s, router and shards CPU µs per call), then the
# medians of each form.
set -uo pipefail
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$BENCH_ROOT/../scripts/common.sh"
source "$BENCH_ROOT/scaleout/nodes.sh"
SALE_EVENTS=8 SALE_TICKETS=2000
source "$BENCH_ROOT/scaleout/configs.sh"
ROUNDS=${ROUNDS:-10}
DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-16}

require_root
ensure_packages postgresql-15-plproxy
SCALE_DIR=$(mktemp -d /tmp/ticketing-remote-select.XXXXXX)
chown postgres: "$SCALE_DIR"
trap 'stop_config; rm -rf --one-file-system "$SCALE_DIR"' EXIT
HZ=$(getconf CLK_TCK)
say "a router and 2 shards; load average $(cut -d' ' -f1-3 /proc/loadavg)"
start_routed 2 || exit 1
npsql "$ROUTER_PORT" -d "$BENCH_DB" -f "$BENCH_ROOT/scaleout/variants.sql" >/dev/null
cp "$BENCH_ROOT/scaleout/refusal.sql" "$SCALE_DIR/named.sql"
sed "s/ticketing\.claim_ticket(/ticketing.v_select_star(/" "$BENCH_ROOT/scaleout/refusal.sql" >"$SCALE_DIR/star.sql"
chmod 644 "$SCALE_DIR"/*.sql
shards_ticks() { echo $(($(node_cpu_ticks s0) + $(node_cpu_ticks s1))); }
for ((round = 1; round <= ROUNDS; round++)); do
    for form in named star; do
        r0=$(node_cpu_ticks router) s0=$(shards_ticks)
        out=$(as_pg "$PG_BINDIR/pgbench" -n -h 127.0.0.1 -p "$ROUTER_PORT" -U postgres -M prepared -c "$CLIENTS" -j 2 \
            -T "$DURATION" -D sale_events="$SALE_EVENTS" -D sale_tickets="$SALE_TICKETS" -f "$SCALE_DIR/$form.sql" \
            "$BENCH_DB" 2>&1)
        r1=$(node_cpu_ticks router) s1=$(shards_ticks)
        calls=$(grep -oP 'number of transactions actually processed: \K[0-9]+' <<<"$out")
        [ -n "$calls" ] && [ "$calls" -gt 0 ] || { echo "$out" | tail -3 >&2; exit 1; }
        awk -v f="$form" -v r="$round" -v c="$calls" -v rt=$((r1 - r0)) -v st=$((s1 - s0)) -v hz="$HZ" -v d="$DURATION" \
            'BEGIN { printf "%s\t%d\t%.0f\t%.1f\t%.1f\n", f, r, c / d, rt * 1e6 / hz / c, st * 1e6 / hz / c }'
    done
done | tee "$SCALE_DIR/runs.tsv"
say "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "form	calls/s	router µs	shards µs	total µs (medians of $ROUNDS runs)"
for form in named star; do
    awk -v f="$form" -F'\t' '$1 == f { print $3 "\t" $4 "\t" $5 "\t" $4 + $5 }' "$SCALE_DIR/runs.tsv" |
        python3 -c "
import statistics, sys
cols = list(zip(*[map(float, l.split()) for l in sys.stdin]))
print('$form\t' + '\t'.join(f'{statistics.median(c):.1f}' for c in cols))"
done
