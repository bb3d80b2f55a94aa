#!/usr/bin/env bash
# pg_upgrade of a cluster of Debian's PostgreSQL 15 in the middle of a sale
# (test/upgrade/sale.sql: sold, held, a lapsed hold, idempotency keys, a customer at her
# limit, counters in ticketing.stats) to the PostgreSQL installed at NEW_PREFIX, which
# has the extension installed too. Checks that every row of the extension's tables and
# its sequences come through, the B-tree indexes pass amcheck, verify() is clean, and
# selling goes on: a claim, a replayed key giving the first answer word for word, the
# live hold confirmed, the lapsed hold sold to someone else, the limit still holding,
# claim_any and a batch, the counters running. The steps are the README's.
#
# usage (as root): test/upgrade/pg_upgrade.sh NEW_PREFIX
# Environment: OLD_BINDIR (default /usr/lib/postgresql/15/bin);
#   TICKETING_EXTENSION_DESTDIR: the old cluster loads the extension from a
#   `make install DESTDIR=...` (Debian's extension_destdir) instead of the system's.
# Prints PASS/FAIL lines and ends with "upgrade: N passed, M failed".
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NEW=${1:?usage: test/upgrade/pg_upgrade.sh NEW_PREFIX}
OLD=${OLD_BINDIR:-/usr/lib/postgresql/15/bin}
LOG=$(mktemp)
source "$ROOT/test/lib/checks.sh"

WORK=$(mktemp -d /tmp/ticketing-upgrade.XXXXXX)
chmod 755 "$WORK"
mkdir -p "$WORK/socket"
cp "$ROOT/test/upgrade/sale.sql" "$WORK/"
chown -R postgres: "$WORK"
as_postgres() { runuser -u postgres -- "$@"; }
stop() { [ -f "$WORK/$1/postmaster.pid" ] && as_postgres "$2/pg_ctl" -D "$WORK/$1" -m fast -w stop >/dev/null 2>&1; }
finish() {
    stop new "$NEW/bin"
    stop old "$OLD"
    [ "$failed" -eq 0 ] && rm -rf "$WORK" || say "the clusters and logs stay in $WORK"
    rm -f "$LOG"
    echo "upgrade: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}
export PGHOST="$WORK/socket" PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
unset PGPASSWORD
# q BINDIR SQL...: one value per line, unaligned.
q() {
    local bindir=$1 sql
    shift
    local -a args=()
    for sql in "$@"; do args+=(-c "$sql"); done
    "$bindir/psql" -X -q -A -t -v ON_ERROR_STOP=1 "${args[@]}"
}

# A cluster as pg_createcluster would make it (no data checksums: Debian's default),
# preloading the library for the cluster-wide counters.
init_cluster() { # NAME BINDIR INITDB_ARGS...
    local name=$1 bindir=$2
    shift 2
    as_postgres "$bindir/initdb" -A trust -U postgres -E UTF8 --locale=C -D "$WORK/$name" "$@" \
        >"$WORK/initdb-$name.log" 2>&1 || { cat "$WORK/initdb-$name.log" >&2; return 1; }
}
configure() { # NAME
    cat >>"$WORK/$1/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$WORK/socket'
shared_preload_libraries = 'ticketing'
fsync = off
CONF
}
start() { # NAME BINDIR
    as_postgres "$2/pg_ctl" -D "$WORK/$1" -l "$WORK/$1.log" -w -t 120 start >/dev/null ||
        { cat "$WORK/$1.log" >&2; return 1; }
}

# Every row of the extension's tables, its sequences' positions, each event's summary
# and what verify() reports (nothing, when healthy).
snapshot() { # BINDIR
    local table
    for table in $(q "$1" "SELECT c.oid::regclass FROM pg_catalog.pg_class c
                            WHERE c.relnamespace = 'ticketing'::regnamespace AND c.relkind = 'r'
                            ORDER BY c.relname"); do
        echo "== $table"
        q "$1" "SELECT t::text FROM $table t ORDER BY 1"
    done
    echo "== sequences"
    q "$1" "SELECT last_value || ' ' || is_called FROM ticketing.event_id_seq" \
        "SELECT last_value || ' ' || is_called FROM ticketing.audit_id_seq"
    echo "== summaries"
    q "$1" "SELECT s::text FROM ticketing.events e, ticketing.event_summary(e.event_id) s ORDER BY 1"
    echo "== verify"
    q "$1" "SELECT v::text FROM ticketing.verify() v"
}
# The answer to a retried call, word for word (the first call ran before the upgrade).
REPLAY="SELECT r::text FROM ticketing.claim_ticket(1, 5, 'dave', idempotency_key => 'k-5') r"

say "the old cluster (PostgreSQL 15) and a sale in the middle"
init_cluster old "$OLD" && configure old || { fail "upgrade-old-cluster: initdb"; finish; }
if [ -n "${TICKETING_EXTENSION_DESTDIR:-}" ]; then
    # The library itself from there too: preloaded by name it would come from $libdir,
    # and a second copy loaded by CREATE EXTENSION would define its settings twice.
    cat >>"$WORK/old/postgresql.conf" <<CONF
extension_destdir = '$TICKETING_EXTENSION_DESTDIR'
shared_preload_libraries = '$TICKETING_EXTENSION_DESTDIR$("$OLD/pg_config" --pkglibdir)/ticketing'
CONF
fi
start old "$OLD" || { fail "upgrade-old-cluster: start"; finish; }
check "upgrade-sale: a sale in the middle on PostgreSQL 15" \
    "$OLD/psql" -X -f "$WORK/sale.sql" || finish
snapshot "$OLD" >"$WORK/before.txt"
q "$OLD" "$REPLAY" >"$WORK/replay-before.txt"
stop old "$OLD"

new_major=$("$NEW/bin/pg_config" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
say "pg_upgrade to PostgreSQL $new_major"
# PostgreSQL 18's initdb turns data checksums on by default; pg_upgrade needs the new
# cluster to match the old one, which has none. grep reads all of the help (not -q): with
# pipefail, a grep that leaves at the first match can kill initdb's next write with
# SIGPIPE, fail the pipeline and leave checksums on (98 tries in 300 did so).
checksums=()
if "$NEW/bin/initdb" --help | grep -- --no-data-checksums >/dev/null; then
    checksums=(--no-data-checksums)
fi
init_cluster new "$NEW/bin" "${checksums[@]}" || { fail "upgrade-new-cluster: initdb"; finish; }
upgrade() {
    (cd "$WORK" && as_postgres "$NEW/bin/pg_upgrade" -b "$OLD" -B "$NEW/bin" \
        -d "$WORK/old" -D "$WORK/new" -s "$WORK/socket" "$@")
}
check "upgrade-check: pg_upgrade --check finds the clusters compatible" upgrade --check || finish
check "upgrade-run: pg_upgrade from 15 to $new_major" upgrade || finish
configure new
start new "$NEW/bin" || { fail "upgrade-new-cluster: start"; finish; }

snapshot "$NEW/bin" >"$WORK/after.txt"
check "upgrade-rows: every row, sequence, summary kept; verify() clean ($(grep -vc '^==' "$WORK/before.txt") lines)" \
    bash -c "grep -q '^(1,5,GA-5,sold,dave' '$WORK/before.txt' && ! sed -n '/^== verify/,\$p' '$WORK/after.txt' | grep -v '^==' && diff -u '$WORK/before.txt' '$WORK/after.txt'"
check "upgrade-amcheck: the extension's B-tree indexes pass bt_index_check after the upgrade" \
    q "$NEW/bin" "CREATE EXTENSION amcheck" \
    "SELECT pg_catalog.count(bt_index_check(c.oid, true)) FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_am a ON a.oid = c.relam
      WHERE c.relnamespace = 'ticketing'::regnamespace AND c.relkind = 'i' AND a.amname = 'btree'"
q "$NEW/bin" "$REPLAY" >"$WORK/replay-after.txt"
check "upgrade-replay: a key used before the upgrade replays the first answer word for word" \
    bash -c "grep -q '^(claimed,1,5,GA-5,t,' '$WORK/replay-before.txt' && diff -u '$WORK/replay-before.txt' '$WORK/replay-after.txt'"

# expect NAME WANT SQL...: the values the statements return, space-separated.
expect() {
    local name=$1 want=$2 got
    shift 2
    got=$(q "$NEW/bin" "$@" 2>&1 | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" = "$want" ]; then
        pass "$name"
    else
        echo "expected: $want" >&2
        echo "got:      $got" >&2
        fail "$name"
    fi
}
# free_from N: the first ticket of event 1 from N on that is available now. The sale's
# batch has an any-seat request (mike's), which picks from a random start, so a check
# that needs a free ticket names one that is free when it runs.
free_from() {
    echo "(SELECT pg_catalog.min(ticket_id) FROM ticketing.tickets
            WHERE event_id = 1 AND status = 'available' AND ticket_id >= $1)"
}
expect "upgrade-claim: a new claim" "claimed" \
    "SELECT outcome FROM ticketing.claim_ticket(1, $(free_from 50), 'nina')"
expect "upgrade-confirm: the hold placed before the upgrade is confirmed" "claimed already_owned" \
    "SELECT outcome FROM ticketing.confirm_hold(1, 20, 'hank', idempotency_key => 'h-2')" \
    "SELECT outcome FROM ticketing.claim_ticket(1, 20, 'hank')"
expect "upgrade-lapsed: the hold that lapsed before the upgrade is sold to another" "claimed" \
    "SELECT outcome FROM ticketing.claim_ticket(1, (SELECT ticket_id FROM ticketing.tickets
                                                     WHERE event_id = 1 AND owner = 'jack'), 'olga')"
expect "upgrade-limit: kate is still at her limit" "limit_reached limit_reached" \
    "SELECT outcome FROM ticketing.claim_ticket(1, $(free_from 14), 'kate')" \
    "SELECT outcome FROM ticketing.claim_any(1, 'kate')"
expect "upgrade-key-reuse: a key reused with other parameters is still refused (TK001)" "TK001" \
    "CREATE TEMP TABLE answer (sqlstate text)" \
    "DO \$\$ BEGIN
        PERFORM ticketing.claim_ticket(1, 9, 'dave', idempotency_key => 'k-5');
        INSERT INTO answer VALUES ('no error');
     EXCEPTION WHEN OTHERS THEN INSERT INTO answer VALUES (SQLSTATE);
     END \$\$" \
    "SELECT sqlstate FROM answer"
expect "upgrade-any: claim_any takes the last two seats of section A; a batch" \
    "claimed A-1-3,A-1-4 claimed,claimed" \
    "SELECT outcome || ' ' || array_to_string(seats, ',') FROM ticketing.claim_any(2, 'sam', 2, section => 'A')" \
    "SELECT string_agg(outcome, ',' ORDER BY request_no) FROM ticketing.claim_batch(1,
        ARRAY[ROW($(free_from 60), 'quinn', 'b-60'), ROW(NULL, 'rose', NULL)]::ticketing.claim_request[])"
expect "upgrade-after: verify() clean after the sales; the counters run (scope cluster)" "0 cluster true" \
    "SELECT pg_catalog.count(*) FROM ticketing.verify()" \
    "SELECT scope || ' ' || (attempts >= 7)::text FROM ticketing.stats WHERE event_id IS NULL"
finish
