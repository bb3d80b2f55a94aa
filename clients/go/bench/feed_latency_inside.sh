#!/usr/bin/env bash
# clients/go/bench/feed_latency.sh inside its cluster (PG* set, ticketing preloaded,
# track_commit_timestamp on).
set -euo pipefail
DB=feed_latency
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" 2>/dev/null
export PGDATABASE=$DB
psql -X -q -c "CREATE EXTENSION ticketing"
event=$(psql -X -q -A -t -c "SELECT ticketing.create_event('feed latency')")
# Sections of 20 rows of 25 seats, as the map draws them.
psql -X -q -A -t -c "SELECT ticketing.add_tickets($event, ARRAY(
    SELECT chr(65 + (n / 500) % 26) || (CASE WHEN n >= 13000 THEN (n / 13000)::text ELSE '' END)
           || '-' || (n % 500) / 25 + 1 || '-' || n % 25 + 1
      FROM generate_series(0, $TICKETS - 1) AS n ORDER BY n))" >/dev/null
"$BIN/flashsale" -listen 127.0.0.1:0 -pool "$POOL" 2>"$BIN/service.log" &
service=$!
trap 'kill $service 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    addr=$(sed -n 's/.*listening on \(.*\)$/\1/p' "$BIN/service.log")
    [ -n "$addr" ] && break
    sleep 0.1
done
sleep 1
"$BIN/flashwatch" -url "http://$addr" -event "$event" -clients "$CLIENTS" -buyers "$BUYERS" \
    -service-pid "$service"
echo "feed errors in the service's log: $(grep -c "feed:" "$BIN/service.log" || true)"
