#!/usr/bin/env bash
# Flash-sale demo: CLIENTS concurrent buyers race for TICKETS tickets of one event until it
# is sold out; ticketing-load shows live progress, then a results table, and fails if a
# single ticket was oversold.
#
# usage: demo/flash_sale.sh [path/to/ticketing-load] [--tickets N] [--clients N] [--map]
#        (binary also via LOADGEN; TICKETS=10000, CLIENTS=64 and MAX_SECONDS=120 by default)
#        --map: seats in sections of 20 rows of 25, and the seat map served during the
#        sale (demo/map.sh)
# Needs PGHOST/PGPORT/PGUSER/... pointing at a PostgreSQL 15 server where
# `CREATE EXTENSION ticketing` works. (Re)creates database $DEMO_DB and leaves it for a look.
set -euo pipefail

LOADGEN="${LOADGEN:-}"
TICKETS="${TICKETS:-10000}"
CLIENTS="${CLIENTS:-64}"
DEMO_DB="${DEMO_DB:-ticketing_demo}"
MAX_SECONDS="${MAX_SECONDS:-120}"
MAP="${MAP:-}"

while [[ $# -gt 0 ]]; do
    case "$1" in
    --tickets) TICKETS="${2:?--tickets needs a value}"; shift 2 ;;
    --clients) CLIENTS="${2:?--clients needs a value}"; shift 2 ;;
    --map) MAP=1; shift ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    *) LOADGEN="$1"; shift ;;
    esac
done

if [[ -z "$LOADGEN" ]]; then
    repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    for candidate in "$repo_root/build/test/loadgen/ticketing-load" \
        "$(command -v ticketing-load || true)"; do
        if [[ -n "$candidate" && -x "$candidate" ]]; then
            LOADGEN="$candidate"
            break
        fi
    done
fi
if [[ -z "$LOADGEN" || ! -x "$LOADGEN" ]]; then
    echo "error: ticketing-load not found; pass its path as the first argument or set LOADGEN" >&2
    exit 2
fi
if ! [[ "$TICKETS" =~ ^[1-9][0-9]*$ && "$CLIENTS" =~ ^[1-9][0-9]*$ &&
    "$MAX_SECONDS" =~ ^[1-9][0-9]*$ ]]; then
    echo "error: TICKETS, CLIENTS and MAX_SECONDS must be positive integers" >&2
    exit 2
fi

ADMIN_DB="${PGDATABASE:-postgres}"
if [[ "$ADMIN_DB" == "$DEMO_DB" ]]; then
    ADMIN_DB=postgres
fi
admin_psql() { psql -X -q -v ON_ERROR_STOP=1 -d "$ADMIN_DB" "$@"; }
demo_psql() { psql -X -q -v ON_ERROR_STOP=1 -d "$DEMO_DB" "$@"; }

# Every client holds a connection, plus one for the progress monitor.
max_conn=$(admin_psql -A -t -c "SELECT current_setting('max_connections')::int
                                      - current_setting('superuser_reserved_connections')::int")
if ((CLIENTS + 3 > max_conn)); then
    echo "error: $CLIENTS clients need $((CLIENTS + 1)) connections; the server allows" \
        "about $max_conn (max_connections). Use fewer CLIENTS." >&2
    exit 2
fi

admin_psql -c "SET client_min_messages = warning" \
    -c "DROP DATABASE IF EXISTS $DEMO_DB WITH (FORCE)"
admin_psql -c "CREATE DATABASE $DEMO_DB"
demo_psql -c "CREATE EXTENSION ticketing"
event=$(demo_psql -A -t -c "SELECT ticketing.create_event('Flash sale')")
if [[ -n "$MAP" ]]; then
    # SECTION-ROW-SEAT labels, 25 seats a row and 20 rows a section, for the map to draw.
    demo_psql -A -t -c "SELECT ticketing.add_tickets($event, ARRAY(
        SELECT chr(65 + (n / 500) % 26) || (CASE WHEN n >= 13000 THEN (n / 13000)::text ELSE '' END)
               || '-' || (n % 500) / 25 + 1 || '-' || n % 25 + 1
          FROM generate_series(0, $TICKETS - 1) AS n ORDER BY n))" >/dev/null
    bash "$(dirname "${BASH_SOURCE[0]}")/map.sh" start "$DEMO_DB" "$event"
else
    demo_psql -A -t -c "SELECT ticketing.add_tickets($event, $TICKETS)" >/dev/null
fi

echo "Flash sale: event $event, $TICKETS tickets, $CLIENTS buyers"
status=0
"$LOADGEN" sellout --conninfo "dbname=$DEMO_DB" --event "$event" --tickets "$TICKETS" \
    --clients "$CLIENTS" --max-seconds "$MAX_SECONDS" || status=$?

echo
demo_psql -c "SELECT * FROM ticketing.event_summary($event)"
[[ -n "$MAP" ]] && bash "$(dirname "${BASH_SOURCE[0]}")/map.sh" stop
exit "$status"
