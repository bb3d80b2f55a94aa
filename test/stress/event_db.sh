# Shared by the pgbench-driven tests in test/stress (sourced): a database of their own
# with one event of $TICKETS tickets (event_id 1), and the PASS/FAIL lines they end with.
# Set before sourcing: DB (database), TEST (name on the PASS/FAIL line), SUITE (name on
# the closing "SUITE: N passed, M failed" line that scripts/server-suites.sh counts).

PGBENCH="${PGBENCH:-/usr/lib/postgresql/15/bin/pgbench}"
ADMIN_DB=postgres

psql_db() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

drop_db() {
    psql -X -q -d "$ADMIN_DB" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
}

fail() {
    echo "FAIL $TEST: $*"
    echo "$SUITE: 0 passed, 1 failed"
    drop_db
    exit 1
}

pass() {
    echo "PASS $TEST"
    echo "$SUITE: 1 passed, 0 failed"
    drop_db
}

# create_event_db EVENT_NAME [SQL ...]: a fresh database with the extension and event 1
# of $TICKETS tickets; each SQL runs after it, then VACUUM ANALYZE.
create_event_db() {
    local name=$1 sql
    shift
    local -a extra=()
    for sql in "$@"; do extra+=(-c "$sql"); done
    drop_db
    psql -X -q -d "$ADMIN_DB" -c "CREATE DATABASE $DB" >/dev/null ||
        fail "could not create database $DB"
    psql_db -c "CREATE EXTENSION ticketing" \
        -c "SELECT ticketing.create_event('$name', event_id => 1)" \
        -c "SELECT ticketing.add_tickets(1, $TICKETS)" "${extra[@]}" \
        -c "VACUUM ANALYZE" >/dev/null || fail "could not load $TICKETS tickets"
}
