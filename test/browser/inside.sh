#!/usr/bin/env bash
# The browser suite inside its throwaway cluster (PG* set by pg_virtualenv; ticketing
# preloaded): a database with the extension, the browser driver (PASS/FAIL lines), and
# the Go service's feed tests on a server that announces changes.
#   inside.sh BINDIR OUTDIR
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${1:?usage: inside.sh BINDIR OUTDIR}
OUT=${2:?usage: inside.sh BINDIR OUTDIR}
DB=ticketing_browser

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" &&
    psql -X -q -d "$DB" -c "CREATE EXTENSION ticketing" ||
    { echo "FAIL browser: a database with the extension"; exit 1; }
export PGDATABASE=$DB

"$BIN/driver" -service "$BIN/flashsale" -out "$OUT"

# The service's feed tests; here TestFeedNotificationsWakeTheReads runs (the server
# announces changes), where the clients suite's cluster skips it.
(
    source "$ROOT/clients/go/goenv.sh"
    go test -count=1 -v -run 'Feed' flashsale/service >"$OUT/go-test.log" 2>&1
    status=$?
    sed -nE 's/^--- (PASS|FAIL): (Test[A-Za-z]+).*/\1 browser: go test \2/p' "$OUT/go-test.log"
    if [ "$status" -ne 0 ] && ! grep -q '^--- FAIL' "$OUT/go-test.log"; then
        cat "$OUT/go-test.log" >&2
        echo "FAIL browser: go test (did not run)"
    fi
    if grep -q -- '--- SKIP: TestFeedNotificationsWakeTheReads' "$OUT/go-test.log"; then
        echo "FAIL browser: go test TestFeedNotificationsWakeTheReads skipped on a preloaded server"
    fi
)

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
exit 0
