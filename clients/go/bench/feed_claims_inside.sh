#!/usr/bin/env bash
# One round of clients/go/bench/feed_claims.sh inside its cluster (PG* set; ticketing
# preloaded). Appends "round build config workload tps sales_per_s cpu_us_per_claim" lines
# to $RESULTS.
#   feed_claims_inside.sh BUILD "CONFIGS"
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
BUILD=$1
CONFIGS=$2
DB=feed_claims
TICKETS=300000
PGBENCH=/usr/lib/postgresql/15/bin/pgbench
say() { printf '==> %s\n' "$*" >&2; }
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
q -c "CREATE EXTENSION ticketing"
event=$(q -c "SELECT ticketing.create_event('feed claims')")
q -c "SELECT ticketing.add_tickets($event, $TICKETS)" >/dev/null
export PGDATABASE=$DB

# CPU time so far, in clock ticks, of the cluster (the postmaster, its live children and
# the children it has reaped: every backend and worker) and of the service when it runs:
# what a run cost, whatever else the machine runs (/proc/PID/stat: utime, stime, cutime,
# cstime).
postmaster=$(head -1 "$(q -c 'SHOW data_directory')/postmaster.pid")
ticks() { # ticks PID [with-reaped-children]
    awk -v reaped="${2:-}" '{sub(/^.*\) /, ""); t = $12 + $13; if (reaped != "") t += $14 + $15; print t}' \
        "/proc/$1/stat" 2>/dev/null || echo 0
}
cpu_ticks() {
    local total child
    total=$(ticks "$postmaster" reaped)
    for child in $(pgrep -P "$postmaster"); do
        total=$((total + $(ticks "$child")))
    done
    [ -n "$service_pid" ] && total=$((total + $(ticks "$service_pid")))
    echo "$total"
}
hz=$(getconf CLK_TCK)

service_pid="" stream_pid=""
stop_service() {
    if [ -n "$stream_pid" ]; then kill "$stream_pid" 2>/dev/null; wait "$stream_pid" 2>/dev/null || true; fi
    if [ -n "$service_pid" ]; then kill "$service_pid" 2>/dev/null; wait "$service_pid" 2>/dev/null || true; fi
    service_pid="" stream_pid=""
    return 0
}
trap stop_service EXIT

reset() {
    q -c "UPDATE ticketing.tickets SET status = 'available', owner = NULL, hold_expires_at = NULL
           WHERE event_id = $event AND status <> 'available'" \
      -c "TRUNCATE ticketing.audit_log, ticketing.idempotency_keys, ticketing.customer_slots" \
      -c "VACUUM ANALYZE ticketing.tickets" -c "VACUUM ANALYZE ticketing.audit_log" -c "CHECKPOINT" >/dev/null
}

for workload in claim_ticket claim_any; do
    for config in $CONFIGS; do
        if [ "$BUILD" = feed ]; then
            interval=50
            case $config in off | notrigger | noindex) interval=0 ;; esac
            q -c "ALTER SYSTEM SET ticketing.feed_interval = $interval" -c "SELECT pg_reload_conf()" >/dev/null
        fi
        reset
        # Diagnostics: the feed off and one of its always-on parts removed for the run.
        case $config in
        notrigger) q -c "ALTER TABLE ticketing.audit_log DISABLE TRIGGER audit_log_feed_capture" ;;
        noindex) q -c "DROP INDEX ticketing.audit_log_feed_idx" ;;
        esac
        if [ "$config" = on ]; then
            "$BIN/flashsale" -listen 127.0.0.1:0 -pool 4 2>"$BIN/service.log" &
            service_pid=$!
            for _ in $(seq 100); do
                addr=$(sed -n 's/.*listening on \(.*\)$/\1/p' "$BIN/service.log")
                [ -n "$addr" ] && break
                sleep 0.1
            done
            curl -sN "http://$addr/events/$event/stream" >/dev/null &
            stream_pid=$!
            sleep 1
        fi
        sleep 1
        before=$(cpu_ticks)
        out=$("$PGBENCH" -n -M prepared -c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" \
            -f "$ROOT/bench/strategies/$workload.sql" -D e="$event" -D n="$TICKETS" 2>&1)
        tps=$(sed -nE 's/^tps = ([0-9.]+) \(without initial connection time\)/\1/p' <<<"$out")
        sleep 1 # the backends exit and are reaped
        after=$(cpu_ticks)
        txns=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' <<<"$out")
        cpu_us=$(awk -v t=$((after - before)) -v hz="$hz" -v n="${txns:-0}" 'BEGIN {printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0)}')
        sold=$(q -c "SELECT count(*) FROM ticketing.audit_log WHERE event_id = $event AND to_status = 'sold'")
        listening=$(q -c "SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN ticketing_feed_$event'")
        if [ "$config" = on ]; then
            stop_service
            if [ "$listening" != 1 ]; then
                cat "$BIN/service.log" >&2
                say "the service was not listening during the run"
                exit 1
            fi
        fi
        case $config in
        notrigger) q -c "ALTER TABLE ticketing.audit_log ENABLE ALWAYS TRIGGER audit_log_feed_capture" ;;
        noindex) q -c "CREATE INDEX audit_log_feed_idx ON ticketing.audit_log (event_id, audit_id)" ;;
        esac
        echo "$ROUND $BUILD $config $workload ${tps:-0} $((sold / SECONDS_PER_RUN)) $cpu_us listening=$listening" |
            tee -a "$RESULTS" >&2
    done
done
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
