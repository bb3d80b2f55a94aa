# Shared by the pgbench-driven tests in test/stress (sourced): a database of their own
# with one event of $TICKETS tickets (event_id 1), the check of the answers they recorded
# against the audit log, and the PASS/FAIL lines they end with.
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

# The table a test records every answer in (which call, its outcome, the ticket it
# names, the customer), in the statement that made the call, so each commits with its
# sale: pass it to create_event_db.
# shellcheck disable=SC2034 # passed to create_event_db by the tests that source this
ANSWERS_TABLE="CREATE TABLE public.answers (via text, outcome text, ticket_id bigint, customer text)"

# check_sales [SOLD]: after a run that recorded every answer in public.answers
# (ANSWERS_TABLE), checks event 1: every ticket sold at most once, one `claimed` answer
# per sale, naming the ticket and the buyer the audit log names, and verify() clean;
# with SOLD, also that exactly SOLD tickets were sold. Fails the test otherwise.
check_sales() {
    local expected=${1:-} sold sales distinct claimed matched problems
    # Fresh statistics, or the planner joins the answers to the log by nested loop.
    psql_db -c "ANALYZE public.answers, ticketing.audit_log, ticketing.tickets" ||
        fail "could not analyze"
    read -r sold sales distinct claimed matched problems <<<"$(psql_db -F ' ' -c "
        SELECT (SELECT count(*) FROM ticketing.tickets WHERE event_id = 1 AND status = 'sold'),
               (SELECT count(*) FROM ticketing.audit_log WHERE event_id = 1 AND to_status = 'sold'),
               (SELECT count(DISTINCT ticket_id) FROM ticketing.audit_log
                 WHERE event_id = 1 AND to_status = 'sold'),
               (SELECT count(*) FROM public.answers WHERE outcome = 'claimed'),
               (SELECT count(*) FROM public.answers a JOIN ticketing.audit_log l
                    ON l.event_id = 1 AND l.ticket_id = a.ticket_id AND l.to_status = 'sold'
                   AND l.customer = a.customer
                 WHERE a.outcome = 'claimed'),
               (SELECT count(*) FROM ticketing.verify(1))")"
    echo "sold $sold of $TICKETS, sales in the audit log $sales, distinct tickets sold $distinct," \
        "claimed answers $claimed (matching the audit log: $matched), verify problems $problems"
    [[ "$sold" -gt 0 ]] || fail "nothing was sold"
    [[ -z "$expected" || "$sold" == "$expected" ]] || fail "sold $sold of $expected"
    [[ "$sales" == "$sold" && "$distinct" == "$sold" ]] || fail "a ticket was sold twice"
    [[ "$claimed" == "$sold" ]] || fail "$claimed claimed answers for $sold sales"
    [[ "$matched" == "$sold" ]] || fail "only $matched claimed answers match the audit log's buyer"
    [[ "$problems" == "0" ]] || fail "verify() reports $problems problems"
}

# count_answers CONDITION: how many recorded answers meet the SQL condition.
count_answers() { psql_db -c "SELECT count(*) FROM public.answers WHERE $1"; }

# run_levels LEVELS NAME: runs run_level (defined by the test, ending in fail or pass)
# once per comma-separated isolation level, each in a subshell, then prints the closing
# "NAME: N passed, M failed" line and returns whether all passed.
run_levels() {
    local passed=0 failed=0 level
    local -a levels
    IFS=',' read -r -a levels <<<"$1"
    for level in "${levels[@]}"; do
        if (run_level "$level"); then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
        fi
    done
    echo "$2: $passed passed, $failed failed"
    [ "$failed" = 0 ]
}
