#!/usr/bin/env bash
# ALTER EXTENSION ticketing UPDATE through every step from 1.0 to the default version
# (the path pg_extension_update_paths() gives), with a sale under way: after each step
# the version is that step's, every ticket and audit row is as before and verify() is
# clean; at the end selling goes on (a claim, a replayed idempotency key, a hold
# confirmed), and the updated extension is object for object the same as a fresh
# install: pg_dump --binary-upgrade --schema-only lists every member of the extension
# (the form pg_upgrade carries over), and the two listings must match.
#
# Needs PG* pointing at a server (as a superuser) with the extension installed, psql
# and pg_dump of that server's major first on PATH. Prints PASS/FAIL lines and ends with
# "update: N passed, M failed".
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LOG=$(mktemp)
WORK=$(mktemp -d)
UPDATED=ticketing_update_chain
FRESH=ticketing_update_fresh
source "$ROOT/test/lib/checks.sh"

q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
drop_dbs() {
    q -d postgres -c "DROP DATABASE IF EXISTS $UPDATED WITH (FORCE)" \
        -c "DROP DATABASE IF EXISTS $FRESH WITH (FORCE)" >/dev/null 2>&1
}
finish() {
    drop_dbs
    rm -rf "$WORK" "$LOG"
    echo "update: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

drop_dbs
q -d postgres -c "CREATE DATABASE $UPDATED" -c "CREATE DATABASE $FRESH" ||
    { fail "update-setup: could not create the databases"; finish; }

# A sale under 1.0: sold, released and resold, available.
check "update-1.0: a sale under 1.0" q -d "$UPDATED" \
    -c "CREATE EXTENSION ticketing VERSION '1.0'" \
    -c "SELECT ticketing.create_event('Update chain', event_id => 1)" \
    -c "SELECT ticketing.add_tickets(1, 10)" \
    -c "SELECT outcome FROM ticketing.claim_ticket(1, 1, 'alice')" \
    -c "SELECT outcome FROM ticketing.claim_ticket(1, 2, 'bob')" \
    -c "SELECT outcome FROM ticketing.release_ticket(1, 2, 'bob')" \
    -c "SELECT outcome FROM ticketing.claim_ticket(1, 2, 'carol')" || finish

# The rows a step must keep, as text.
rows() {
    q -d "$UPDATED" -c "SELECT event_id, ticket_id, seat, status, owner FROM ticketing.tickets ORDER BY 1, 2" \
        -c "SELECT audit_id, event_id, ticket_id, from_status, to_status, customer
              FROM ticketing.audit_log ORDER BY audit_id"
}
rows >"$WORK/rows.before" || { fail "update-rows: could not read the sale's rows"; finish; }

target=$(q -d "$UPDATED" -c "SELECT default_version FROM pg_catalog.pg_available_extensions WHERE name = 'ticketing'")
path=$(q -d "$UPDATED" -c "SELECT path FROM pg_catalog.pg_extension_update_paths('ticketing')
                             WHERE source = '1.0' AND target = '$target'")
if [ -z "$path" ]; then
    fail "update-path: no update path from 1.0 to $target"
    finish
fi
say "the update path: $path"
for step in $(tr -s '-' ' ' <<<"${path#1.0--}"); do
    check "update-$step: ALTER EXTENSION ticketing UPDATE TO '$step'" \
        q -d "$UPDATED" -c "ALTER EXTENSION ticketing UPDATE TO '$step'" || finish
    version=$(q -d "$UPDATED" -c "SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'ticketing'")
    problems=$(q -d "$UPDATED" -c "SELECT pg_catalog.count(*) FROM ticketing.verify()")
    rows >"$WORK/rows.after"
    check "update-$step: version $version, the sale's rows kept, verify() found $problems problems" \
        bash -c "[ '$version' = '$step' ] && [ '$problems' = 0 ] && diff -u '$WORK/rows.before' '$WORK/rows.after'"
done

# Selling goes on at the default version: a claim, a replayed key, a hold confirmed.
check "update-sells: claim, replayed key and confirmed hold after the updates" \
    bash -c "[ \"\$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d '$UPDATED' \
        -c \"SELECT outcome FROM ticketing.claim_ticket(1, 3, 'dave', idempotency_key => 'k-1')\" \
        -c \"SELECT outcome || ' ' || ticket_id FROM ticketing.claim_ticket(1, 3, 'dave', idempotency_key => 'k-1')\" \
        -c \"SELECT outcome FROM ticketing.hold_ticket(1, 4, 'erin', interval '10 minutes')\" \
        -c \"SELECT outcome FROM ticketing.confirm_hold(1, 4, 'erin')\" \
        -c \"SELECT pg_catalog.count(*) FROM ticketing.verify()\" | tr '\n' ' ')\" = 'claimed claimed 3 hold_placed claimed 0 ' ]"

# Object for object the same as a fresh install. The listings differ only in the oids
# and xids pg_upgrade would set, the sequences' positions (the sale used them),
# pg_dump's per-run \restrict key and the stored default of a column the update added
# to a table that had rows (binary_upgrade_set_missing_value: a property of those rows,
# not of the column).
q -d "$FRESH" -c "CREATE EXTENSION ticketing" >/dev/null || { fail "update-fresh: CREATE EXTENSION failed"; finish; }
listing() {
    pg_dump --binary-upgrade --schema-only -d "$1" |
        grep -vE 'binary_upgrade_set_(next_|missing_value)|^-- set missing value|relfrozenxid|relminmxid|^\\(un)?restrict |^-- Dumped (from|by)' |
        sed -E -e "s/'[0-9]+'::pg_catalog\.oid/'OID'::pg_catalog.oid/g" -e "s/^WHERE oid = '[0-9]+';/WHERE oid = 'OID';/" \
            -e "s/(pg_catalog\.setval\('[a-z_.]+'), [0-9]+, (true|false)\)/\1, N)/" \
            -e "/binary_upgrade_create_empty_extension/s/[0-9]{4,}/OID/g" | cat -s
}
listing "$UPDATED" >"$WORK/updated.sql"
listing "$FRESH" >"$WORK/fresh.sql"
check "update-same-as-fresh: the updated extension's objects match a fresh $target install" \
    bash -c "grep -q 'ALTER EXTENSION ticketing ADD' '$WORK/fresh.sql' && diff -u '$WORK/fresh.sql' '$WORK/updated.sql'"
finish
