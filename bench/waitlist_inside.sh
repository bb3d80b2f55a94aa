#!/usr/bin/env bash
# bench/waitlist.sh's part inside the throwaway cluster (PG* set by pg_virtualenv).
set -uo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLIENTS=${CLIENTS:-16}
SECONDS_PER_RUN=${SECONDS:-15}
ROUNDS=${ROUNDS:-2}
TICKETS=${TICKETS:-100000}
ENTRIES=${ENTRIES:-10000}
PGBENCH=${PGBENCH:-/usr/lib/postgresql/15/bin/pgbench}
DB=ticketing_waitlist_bench
passed=0
failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1' EXIT
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

# Event 1 has the list (open, ENTRIES entries of 1 to 3 tickets, categories A, B or
# any); event 2 is the same sale without one.
psql -X -q -d postgres -c "CREATE DATABASE $DB" >/dev/null || exit 1
q -c "CREATE EXTENSION ticketing" >/dev/null || exit 1
for event in 1 2; do
    q -c "SELECT ticketing.create_event('waitlist bench $event', event_id => $event)" \
        -c "SELECT ticketing.add_tickets($event, $((TICKETS / 2)), seat_prefix => 'A-', category => 'A')" \
        -c "SELECT ticketing.add_tickets($event, $((TICKETS - TICKETS / 2)), seat_prefix => 'B-', category => 'B')" \
        -c "SELECT count(*) FROM generate_series(0, ($TICKETS - 1) / 1000) b,
                LATERAL ticketing.claim_batch($event, ARRAY(SELECT ROW(i, 'fan-' || i, NULL)::ticketing.claim_request
                          FROM generate_series(b * 1000 + 1, LEAST((b + 1) * 1000, $TICKETS)) i)) r" >/dev/null ||
        exit 1
done
q -c "SELECT ticketing.open_waitlist(1)" \
    -c "INSERT INTO ticketing.waitlist_entries (event_id, customer, quantity, category, offer_for)
        SELECT 1, 'wait-' || i, 1 + i % 3, (ARRAY['A', 'B', NULL])[1 + i % 3], interval '15 minutes'
          FROM generate_series(1, $ENTRIES) i" \
    -c "VACUUM ANALYZE" >/dev/null || exit 1

for event in 1 2; do
    cat >"$work/refund$event.sql" <<SQL
\\set t random(1, $TICKETS)
SELECT r.outcome FROM ticketing.tickets t,
       LATERAL ticketing.release_ticket($event, t.ticket_id, t.owner) r
 WHERE t.event_id = $event AND t.ticket_id >= :t AND t.status = 'sold' ORDER BY t.ticket_id LIMIT 1;
SQL
done

# run EVENT: one run; its refunds/s in $work/tps (and, for event 1, the listener's lines).
run() {
    local event=$1 tps
    if [ "$event" = 1 ]; then
        /usr/bin/python3 "$BENCH_DIR/waitlist/listen.py" --channel ticketing_waitlist_1 \
            >>"$work/notified" 2>"$work/listener.err" &
        listener=$!
        for _ in $(seq 1 50); do grep -q listening "$work/listener.err" && break; sleep 0.1; done
    fi
    PGOPTIONS="-c synchronous_commit=${SYNCHRONOUS_COMMIT:-on}" "$PGBENCH" -n -M prepared -c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" -f "$work/refund$event.sql" \
        "$DB" >"$work/out" 2>&1
    local rc=$?
    if [ "$event" = 1 ]; then
        q -c "NOTIFY ticketing_waitlist_1, 'stop'"
        wait "$listener"
    fi
    tps=$(sed -nE 's/^tps = ([0-9.]+) .*/\1/p' "$work/out")
    if [ $rc -ne 0 ] || [ -z "$tps" ] || [ "$(q -c "SELECT count(*) FROM ticketing.verify($event)")" != 0 ]; then
        echo "FAIL waitlist-bench: event $event: pgbench or verify() failed" >&2
        tail -3 "$work/out" >&2
        failed=$((failed + 1))
        echo 0 >"$work/tps"
        return
    fi
    passed=$((passed + 1))
    echo "$tps" >"$work/tps"
}

: >"$work/notified"
with=()
without=()
for round in $(seq 1 "$ROUNDS"); do
    run 1
    with+=("$(cat "$work/tps")")
    run 2
    without+=("$(cat "$work/tps")")
    echo "round $round: with the list ${with[-1]} refunds/s, without ${without[-1]} refunds/s"
done

# Each notification against the commit of the transaction that marked its entry offered.
q -c "CREATE TEMP TABLE notified (received double precision, payload json)" \
    -c "\\copy notified FROM '$work/notified' WITH (FORMAT text, DELIMITER ' ')" \
    -c "SELECT pg_catalog.count(*),
               pg_catalog.round((pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::numeric, 2),
               pg_catalog.round((pg_catalog.percentile_cont(0.99) WITHIN GROUP (ORDER BY ms))::numeric, 2),
               pg_catalog.round(pg_catalog.max(ms)::numeric, 2)
          FROM (SELECT (n.received - EXTRACT(epoch FROM pg_catalog.pg_xact_commit_timestamp(w.xmin))) * 1000 AS ms
                  FROM notified n
                  JOIN ticketing.waitlist_entries w
                    ON w.event_id = 1 AND w.entry_id = (n.payload ->> 'entry_id')::bigint) l" >"$work/latency"
read -r offers p50 p99 max <<<"$(tr '|' ' ' <"$work/latency")"
/usr/bin/python3 - "$CLIENTS" "$SECONDS_PER_RUN" "$TICKETS" "$ENTRIES" "${offers:-0}" "${p50:-}" "${p99:-}" "${max:-}" \
    "${with[*]}" "${without[*]}" <<'PY'
import statistics, sys
clients, seconds, tickets, entries, offers, p50, p99, mx, with_, without = sys.argv[1:]
w = [float(x) for x in with_.split()]
wo = [float(x) for x in without.split()]
mw, mwo = statistics.median(w), statistics.median(wo)
print(f"synchronous_commit = {__import__('os').environ.get('SYNCHRONOUS_COMMIT', 'on')}, {clients} clients, {seconds} s per run, {tickets} tickets, {entries} entries")
print(f"refunds/s with the list (median of {len(w)}): {mw:.0f}; without: {mwo:.0f}; ratio {mw / mwo:.2f}")
print(f"offers notified: {offers}; refund commit -> NOTIFY received: p50 {p50} ms, p99 {p99} ms, max {mx} ms")
PY
echo "waitlist-bench: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
