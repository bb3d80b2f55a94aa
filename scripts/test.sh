#!/usr/bin/env bash
# Runs every test suite of ticketing on this machine, from nothing: installs missing
# Debian packages, builds, installs, starts a throwaway cluster, runs the unit tests
# (ctest), pg_regress, the isolation specs, the sell-out and stress tests, the same
# suites again on an assert-enabled PostgreSQL with sanitizers (scripts/cassert.sh,
# built once into /var/cache/ticketing), the core suites, the update chain and
# pg_upgrade from 15 on PostgreSQL 17 and 18 (scripts/majors.sh, each built once into
# the same cache), the PGXN bundle and a benchmark smoke run, removes the clusters,
# and ends with one line: "N passed, N failed". Exit status is non-zero on any failure.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

require_root
ensure_packages
build_and_install || { say "build failed"; echo "0 passed, 1 failed"; exit 1; }

TALLY=$(mktemp)
FAILURES=$(mktemp) # the FAIL lines of every suite, repeated above the closing line
chmod 644 "$TALLY" "$FAILURES"
trap 'rm -f "$TALLY" "$FAILURES"' EXIT

say "unit tests (ctest)"
ctest_log=$(mktemp)
(cd "$TICKETING_BUILD" && ctest --output-on-failure) | tee "$ctest_log" >&2
summary=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$ctest_log" | tail -1)
if [ -n "$summary" ]; then
    failed=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$summary")
    total=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$summary")
    echo "unit $((total - failed)) $failed" >>"$TALLY"
else
    echo "unit 0 1" >>"$TALLY"
fi
rm -f "$ctest_log"

say "server suites in a throwaway cluster"
with_cluster bash "$TICKETING_ROOT/scripts/server-suites.sh" "$TALLY" "$FAILURES"

# run_suite SUITE COMMAND...: runs a suite of our own, whose output ends with
# "SUITE: N passed, M failed", and adds its line to the tally (one failure if the line
# never came).
run_suite() {
    local suite=$1 log line
    shift
    log=$(mktemp)
    "$@" 2>&1 | tee "$log" >&2
    line=$(grep -E "^$suite: [0-9]+ passed, [0-9]+ failed" "$log" | tail -1)
    grep -E '^FAIL' "$log" | sed "s/^/$suite: /" >>"$FAILURES"
    if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
        echo "$suite ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}" >>"$TALLY"
    else
        echo "$suite 0 1" >>"$TALLY"
    fi
    rm -f "$log"
}

say "the assert-enabled server (scripts/cassert.sh)"
run_suite cassert bash "$TICKETING_ROOT/scripts/cassert.sh"

for major in $TICKETING_MAJORS; do
    say "PostgreSQL $major: pg_regress, isolation, sell-out, batch race, update chain, pg_upgrade from 15 (scripts/majors.sh)"
    run_suite "pg$major" bash "$TICKETING_ROOT/scripts/majors.sh" "$major"
done

say "reliability: crashes, a replica, dump and restore, bad input, fuzzing (test/reliability)"
run_suite reliability bash "$TICKETING_ROOT/test/reliability/run_reliability.sh"

say "failover: pg_auto_failover, a primary killed mid-sale and cut off from its standby (test/failover)"
run_suite failover bash "$TICKETING_ROOT/test/failover/run_failover.sh"

say "the Debian package (test/package/run_package.sh)"
run_suite package bash "$TICKETING_ROOT/test/package/run_package.sh"

say "scale-out: a PL/Proxy router, two shards, pgbouncer (test/scaleout/run_scaleout.sh)"
run_suite scaleout bash "$TICKETING_ROOT/test/scaleout/run_scaleout.sh"

say "the live feed and the seat map in headless Chromium (test/browser/run_browser.sh)"
run_suite browser bash "$TICKETING_ROOT/test/browser/run_browser.sh"

say "benchmark smoke run (bench/run.sh --quick)"
run_suite bench bash "$TICKETING_ROOT/bench/run.sh" --quick --no-build

# Last: pgxnclient installs the bundle (the tracked files as they are) over the build
# the suites above used.
say "the PGXN bundle, installed by pgxnclient on a fresh cluster (test/pgxn/run_pgxn.sh)"
run_suite pgxn bash "$TICKETING_ROOT/test/pgxn/run_pgxn.sh"

if [ -s "$FAILURES" ]; then
    say "what failed:"
    sed 's/^/    /' "$FAILURES" >&2
fi
passed=0
failed=0
while read -r suite p f; do
    say "$(printf '%-12s %4d passed, %d failed' "$suite" "$p" "$f")"
    passed=$((passed + p))
    failed=$((failed + f))
done <"$TALLY"
if ! grep -q '^regress ' "$TALLY"; then
    failed=$((failed + 1)) # the cluster never ran the server suites
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
