#!/usr/bin/env bash
# The extension on an assert-enabled PostgreSQL, from nothing: builds PostgreSQL 15 from
# Debian's source package with --enable-cassert --enable-debug into a cache directory
# outside the clone (once: a second run reuses it), builds the extension against it with
# AddressSanitizer and UndefinedBehaviorSanitizer, starts a throwaway cluster of it (as
# the postgres OS user, the ASan runtime preloaded into the server), and runs pg_regress,
# the isolation specs and the stress tests there. Any assertion failure, sanitizer
# report or crash in the server log fails the run. Last line: "cassert: N passed, M failed".
#
#   bash scripts/cassert.sh           (as root; scripts/test.sh runs it too)
# Environment: TICKETING_CACHE (default /var/cache/ticketing) holds the server build;
# CASSERT_STRESS=0 skips the stress tests; TICKETING_SANITIZE=0 builds the extension
# without sanitizers.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cassert-server.sh"

require_root
ensure_packages "${CASSERT_BUILD_PACKAGES[@]}"

passed=0
failed=0
result() { # result NAME STATUS
    if [ "$2" -eq 0 ]; then
        echo "PASS cassert-$1"
        passed=$((passed + 1))
    else
        echo "FAIL cassert-$1"
        failed=$((failed + 1))
    fi
}
finish() {
    echo "cassert: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

prefix=$(cassert_server_prefix) || { result server-build 1; finish; }
say "assert-enabled server: $prefix"

work=$(mktemp -d /tmp/ticketing-cassert.XXXXXX)
chmod 755 "$work"
trap 'cassert_stop "$work"; rm -rf "$work"' EXIT

# The extension, built from a copy of the tree so the release build's objects stay.
say "building the extension against the assert-enabled server (sanitizers: ${TICKETING_SANITIZE:-1})"
cassert_build_extension "$prefix" "$work/src" >"$work/build.log" 2>&1
build_rc=$?
[ $build_rc -eq 0 ] || tail -40 "$work/build.log" >&2
result build $build_rc
[ $build_rc -eq 0 ] || finish

# The load client of the stress test (Debian's libpq talks to any server).
cmake -S "$TICKETING_ROOT" -B "$TICKETING_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
    cmake --build "$TICKETING_BUILD" --target ticketing-load -j"$(nproc)" -- --no-print-directory >/dev/null ||
    { say "could not build ticketing-load"; result loadgen-build 1; finish; }

cassert_start "$prefix" "$work" || { result server-start 1; finish; }
export PGHOST="$work/socket" PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
unset PGPASSWORD

# installcheck SUITE DIR MAKE_ARGS...: pg_regress or the isolation specs from the copy.
installcheck() {
    local suite=$1 dir=$2 rc
    shift 2
    say "$suite on the assert-enabled server"
    make -C "$work/src" -s installcheck "$@" PG_CONFIG="$prefix/bin/pg_config" >"$work/$suite.log" 2>&1
    rc=$?
    cat "$work/$suite.log" >&2
    [ -f "$work/src/$dir/regression.diffs" ] && cat "$work/src/$dir/regression.diffs" >&2
    result "$suite" $rc
}
installcheck regress . ISOLATION=
installcheck isolation test/isolation REGRESS=

if [ "${CASSERT_STRESS:-1}" != 0 ]; then
    say "stress tests on the assert-enabled server"
    PGBENCH=$prefix/bin/pgbench bash "$TICKETING_ROOT/test/stress/claim_any_sellout.sh" >&2
    result sellout $?
    PGBENCH=$prefix/bin/pgbench bash "$TICKETING_ROOT/test/stress/claim_batch_race.sh" >&2
    result batchrace $?
    PGBENCH=$prefix/bin/pgbench bash "$TICKETING_ROOT/test/stress/claim_any_sold_out_check.sh" >&2
    result soldoutcheck $?
    PGBENCH=$prefix/bin/pgbench CONTRACT_SECONDS=2 bash "$TICKETING_ROOT/test/stress/contracts.sh" >&2
    result contracts $?
    PGBENCH=$prefix/bin/pgbench QUOTA_SECONDS=4 QUOTA_ROUNDS=16 QUOTA_LEVELS="read committed" bash "$TICKETING_ROOT/test/stress/quota_sellout.sh" >&2
    result quotasellout $?
    PGBENCH=$prefix/bin/pgbench TICKETS=20000 ENTRIES=2000 WAITLIST_SECONDS=4 \
        bash "$TICKETING_ROOT/test/stress/waitlist_drain.sh" >&2
    result waitlist $?
    PGBENCH=$prefix/bin/pgbench TICKETS=20000 ENTRIES=2000 WAITLIST_SECONDS=4 WAITLIST_QUOTAS=1 \
        bash "$TICKETING_ROOT/test/stress/waitlist_drain.sh" >&2
    result waitlistquotas $?
    bash "$TICKETING_ROOT/test/stress/run_stress.sh" "$TICKETING_BUILD/test/loadgen/ticketing-load" >&2
    result stress $?
fi

cassert_stop "$work"
say "the server log: assertion failures, sanitizer reports, crashes"
if cassert_log_problems "$work/server.log" >&2; then
    result server-log 1
else
    result server-log 0
fi
finish
