#!/usr/bin/env bash
# The PGXN release as a user meets it: the bundle `make dist` makes (packaging/dist.sh)
# is a zip with one top directory ticketing-VERSION/ holding a valid META.json, the
# licence and the build files; Debian's pgxnclient installs it from the local file into
# the PostgreSQL at PREFIX (builds it with that pg_config, installs it); and on a fresh
# cluster of that PostgreSQL, CREATE EXTENSION works and a claim sells a ticket.
#
# usage (as root): test/pgxn/run_pgxn.sh [PREFIX]   (default /usr/lib/postgresql/15:
#   Debian 12's PostgreSQL, which this installs into: hold /work/bin/with-pg15-lock, as
#   scripts/test.sh does, where others share it)
# Prints PASS/FAIL lines and ends with "pgxn: N passed, M failed".
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"
source "$TICKETING_ROOT/scripts/cassert-server.sh"
PREFIX=${1:-/usr/lib/postgresql/15}
LOG=$(mktemp)
source "$TICKETING_ROOT/test/lib/checks.sh"

require_root
ensure_packages pgxnclient unzip
WORK=$(mktemp -d /tmp/ticketing-pgxn.XXXXXX)
chmod 755 "$WORK"
TICKETING_SANITIZE=0 # cassert_start: no sanitizer runtime to preload
trap 'cassert_stop "$WORK"; rm -rf "$WORK" "$LOG"' EXIT
finish() {
    echo "pgxn: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

bundle=$(sh "$TICKETING_ROOT/packaging/dist.sh" "$WORK/dist" 2>"$LOG")
cat "$LOG" >&2
if [ -f "$bundle" ]; then
    pass "pgxn-bundle: make dist made $(basename "$bundle") ($(stat -c %s "$bundle") bytes)"
else
    fail "pgxn-bundle: make dist made no bundle"
    finish
fi
top=$(basename "$bundle" .zip)
# shellcheck disable=SC2016 # the awk program is quoted on purpose
check "pgxn-layout: one top directory $top/ with META.json, LICENSE, Makefile, the control file" \
    bash -c "unzip -Z1 '$bundle' | awk -F/ '{print \$1}' | sort -u | grep -qxF '$top' &&
             [ \"\$(unzip -Z1 '$bundle' | awk -F/ '{print \$1}' | sort -u | wc -l)\" = 1 ] &&
             for f in META.json LICENSE Makefile ticketing.control README.md; do
                 unzip -Z1 '$bundle' | grep -qxF '$top/'\$f || { echo \"no \$f\"; exit 1; }
             done"
mkdir -p "$WORK/unpacked"
unzip -q "$bundle" -d "$WORK/unpacked"
check "pgxn-meta: the bundle's META.json has PGXN's fields, licence postgresql, version $top" \
    bash -c "perl '$TICKETING_ROOT/test/package/meta_fields.pl' '$WORK/unpacked/$top/META.json' '$WORK/unpacked/$top' &&
             perl -MJSON::PP -e 'my \$m = decode_json(do { local \$/; <STDIN> });
                 exit !(\$m->{license} eq \"postgresql\" && \"ticketing-\$m->{version}\" eq \$ARGV[0])' \
                 '$top' <'$WORK/unpacked/$top/META.json'"

# pgxnclient builds in a directory of its own and installs with that pg_config.
check "pgxn-install: pgxn install --pg_config $PREFIX/bin/pg_config $top.zip" \
    bash -c "cd '$WORK' && pgxn install --yes --pg_config '$PREFIX/bin/pg_config' './dist/$top.zip'" || finish

cassert_start "$PREFIX" "$WORK" || { fail "pgxn-cluster: a fresh cluster of $PREFIX"; finish; }
answer=$("$PREFIX/bin/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$WORK/socket" -U postgres -d postgres \
    -c "CREATE EXTENSION ticketing" \
    -c "SELECT ticketing.create_event('PGXN', event_id => 1)" \
    -c "SELECT ticketing.add_tickets(1, 3)" \
    -c "SELECT outcome || ' ' || ticket_id FROM ticketing.claim_ticket(1, 2, 'alice')" \
    -c "SELECT outcome FROM ticketing.claim_ticket(1, 2, 'bob')" \
    -c "SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'ticketing'" \
    -c "SELECT pg_catalog.count(*) FROM ticketing.verify()" 2>&1 | tr '\n' ' ')
version=$(sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" "$WORK/unpacked/$top/ticketing.control")
want="1 3 claimed 2 already_sold $version 0 "
echo "answers: $answer" >&2
if [ "$answer" = "$want" ]; then
    pass "pgxn-claim: on a fresh cluster CREATE EXTENSION works and a claim sells a ticket"
else
    echo "expected: $want" >&2
    fail "pgxn-claim: on a fresh cluster CREATE EXTENSION works and a claim sells a ticket"
fi
finish
