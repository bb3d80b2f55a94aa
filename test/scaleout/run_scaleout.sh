#!/usr/bin/env bash
# The scale-out tests, as root and outside any cluster: PostgreSQL's TAP modules start a
# router (ticketing_router over PL/Proxy) and shards (ticketing), each with its own data
# directory and a Unix socket only, and pgbouncer in front of a node (test/scaleout/t/*.pl).
# Needs the extensions installed (the test command's `make install`), or a private install
# named by TICKETING_EXTENSION_DESTDIR (a DESTDIR of `make install`, used through
# Debian's extension_destdir). Installs the Debian packages it needs. Ends with
#   scaleout: N passed, M failed
# (N and M count TAP assertions; a test script that dies counts one failure more).
# Arguments, if any, name the test scripts to run (t/001_routing.pl ...); default: all.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"

PERL_TEST_LIB=/usr/lib/postgresql/15/lib/pgxs/src/test/perl
DESTDIR=${TICKETING_EXTENSION_DESTDIR:-}
passed=0
failed=0

finish() {
    echo "scaleout: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

require_root
ensure_packages postgresql-15-plproxy pgbouncer libipc-run-perl perl

# The two control files must name the same version: the router checks that shards run the
# version it was installed at.
control_version() { sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$1"; }
core=$(control_version "$TICKETING_ROOT/ticketing.control")
router=$(control_version "$TICKETING_ROOT/ticketing_router.control")
if [ -n "$core" ] && [ "$core" = "$router" ]; then
    echo "ok - ticketing_router.control names ticketing.control's version ($core)"
    passed=$((passed + 1))
else
    echo "not ok - ticketing.control says '$core', ticketing_router.control says '$router'"
    failed=$((failed + 1))
fi

extdir=$DESTDIR$(pg_config --sharedir)/extension
for f in ticketing.control ticketing_router.control "ticketing_router--$router.sql"; do
    if [ ! -f "$extdir/$f" ]; then
        say "$extdir/$f is missing: run make install first (or set TICKETING_EXTENSION_DESTDIR)"
        failed=$((failed + 1))
        finish
    fi
done

WORK=$(mktemp -d /tmp/ticketing-scaleout.XXXXXX)
trap 'rm -rf --one-file-system "$WORK"' EXIT
# The tests run as postgres from a copy (the clone may not be readable by postgres).
cp -r "$TICKETING_ROOT/test/scaleout" "$WORK/suite"
# The tests run the SQL that docs/scale-out.md tells a DBA to run (<!-- sql:NAME --> blocks).
cp "$TICKETING_ROOT/docs/scale-out.md" "$WORK/suite/"
chown -R postgres: "$WORK"

# 1,000 pgbench clients and pgbouncer's 1,000 client sockets need more descriptors than
# the usual 1,024; the limit is inherited through runuser.
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"

TESTS=("$@")
[ ${#TESTS[@]} -gt 0 ] || mapfile -t TESTS < <(cd "$WORK/suite" && ls t/*.pl)
LOG="$WORK/prove.log"
(
    cd "$WORK/suite" &&
        runuser -u postgres -- env PATH="$PG_BINDIR:/usr/sbin:/usr/bin:/bin" \
            PERL5LIB="$PERL_TEST_LIB" TICKETING_EXTENSION_DESTDIR="$DESTDIR" \
            PG_REGRESS=/usr/lib/postgresql/15/lib/pgxs/src/test/regress/pg_regress \
            prove -v "${TESTS[@]}"
) 2>&1 | tee "$LOG"
ok=$(grep -cE '^\s*ok [0-9]+' "$LOG")
not_ok=$(grep -cE '^\s*not ok [0-9]+' "$LOG")
passed=$((passed + ok))
failed=$((failed + not_ok))
# A script that died, or planned more than it ran, without a "not ok" line of its own.
if ! grep -qE '^Result: PASS' "$LOG" && [ "$not_ok" -eq 0 ]; then
    failed=$((failed + 1))
fi
# On a failure, the end of each test's own log (the die message, the failed statement).
if [ "$failed" -ne 0 ]; then
    find "$WORK/suite/tmp_check/log" -name 'regress_log_*' -exec tail -n 25 {} + 2>/dev/null
fi
finish
