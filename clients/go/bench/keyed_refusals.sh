#!/usr/bin/env bash
# Keyed against unkeyed refusals at the database, without the HTTP layer: pgbench
# (prepared statements) makes claim_ticket calls for the tickets of a sold-out event of
# 100, each answered already_sold, with and without a fresh idempotency key per call;
# runs alternate. Per call: transactions/s, CPU of the cluster's processes (backends,
# WAL writer, ... from /proc/PID/stat; pgbench not counted) and WAL bytes
# (pg_current_wal_lsn()). Inside a throwaway cluster with the extension to measure:
#   pg_virtualenv -t -o fsync=on -o extension_destdir=DIR bash clients/go/bench/keyed_refusals.sh
# Knobs: CLIENTS (16), SECONDS_PER_RUN (8), ROUNDS (3). Prints one Markdown table.
set -euo pipefail
CLIENTS=${CLIENTS:-16}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-8}
ROUNDS=${ROUNDS:-3}
DB=keyed_refusals
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
export PGDATABASE=$DB
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE EXTENSION ticketing;
SELECT ticketing.create_event('keyed refusals', event_id => 1);
SELECT ticketing.add_tickets(1, 100);
SELECT ticketing.claim_ticket(1, t, 'owner') FROM generate_series(1, 100) t;
SQL
dir=$(mktemp -d)
chmod 755 "$dir"
cat >"$dir/unkeyed.sql" <<'SQL'
\set t random(1, 100)
SELECT outcome FROM ticketing.claim_ticket(1, :t, 'c' || :client_id);
SQL
cat >"$dir/keyed.sql" <<'SQL'
\set t random(1, 100)
\set k random(1, 1000000000000)
SELECT outcome FROM ticketing.claim_ticket(1, :t, 'c' || :client_id, idempotency_key => 'k' || :k);
SQL
postmaster=$(head -1 "$(psql -X -A -t -d postgres -c 'SHOW data_directory')/postmaster.pid")
ticks() { # CPU of the cluster: its live processes, and the children the postmaster reaped
    local total=0 pid f
    f=$(cat "/proc/$postmaster/stat")
    f=${f##*) }
    set -- $f
    total=$((${14} + ${15}))
    for pid in $(pgrep -P "$postmaster"); do
        f=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        f=${f##*) }
        set -- $f
        total=$((total + ${12} + ${13}))
    done
    echo "$total"
}
lsn() { psql -X -A -t -q -c "SELECT pg_current_wal_lsn()"; }
results="$dir/results"
for round in $(seq "$ROUNDS"); do
    for kind in unkeyed keyed; do
        c0=$(ticks) w0=$(lsn)
        out=$(pgbench -n -M prepared -c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" -f "$dir/$kind.sql" 2>&1)
        c1=$(ticks) w1=$(lsn)
        tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
        tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out")
        bytes=$(psql -X -A -t -q -c "SELECT pg_wal_lsn_diff('$w1', '$w0')")
        echo "$kind $tx $tps $((c1 - c0)) $bytes" >>"$results"
        printf '==> round %s, %s: %s calls, %s tps\n' "$round" "$kind" "$tx" "$tps" >&2
    done
done
python3 - "$results" "$(getconf CLK_TCK)" "$CLIENTS" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    kind, tx, tps, ticks, wal = line.split()
    tx = max(int(tx), 1)
    rows.setdefault(kind, []).append((float(tps), int(ticks) / int(sys.argv[2]) * 1e6 / tx, float(wal) / tx))
print(f"| refusals ({sys.argv[3]} clients) | calls/s (median; runs) | CPU µs per call (median) | WAL bytes per call (median) |")
print("|---|---:|---:|---:|")
for kind in ("unkeyed", "keyed"):
    r = rows[kind]
    print(f"| {kind} | {statistics.median(x[0] for x in r):,.0f} ({', '.join(f'{x[0]:,.0f}' for x in r)}) | "
          f"{statistics.median(x[1] for x in r):.1f} | {statistics.median(x[2] for x in r):.1f} |")
k, u = rows["keyed"], rows["unkeyed"]
print(f"| keyed / unkeyed | {statistics.median(x[0] for x in k) / statistics.median(x[0] for x in u):.2f}× | "
      f"{statistics.median(x[1] for x in k) / statistics.median(x[1] for x in u):.2f}× | |")
PY
