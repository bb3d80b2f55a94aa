#!/usr/bin/env bash
# Runs every test suite of ticketing on this machine, from nothing: installs missing
# Debian packages, builds, installs, starts a throwaway cluster, runs the unit tests
# (ctest), pg_regress, the isolation specs, the sell-out and stress tests, the same
# suites again on an assert-enabled PostgreSQL with sanitizers (scripts/cassert.sh,
# built once into /var/cache/ticketing) and a benchmark smoke run, removes the clusters,
# and ends with one line: "N passed, N failed". Exit status is non-zero on any failure.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

require_root
ensure_packages
build_and_install || { say "build failed"; echo "0 passed, 1 failed"; exit 1; }

TALLY=$(mktemp)
chmod 644 "$TALLY"
trap 'rm -f "$TALLY"' EXIT

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
with_cluster bash "$TICKETING_ROOT/scripts/server-suites.sh" "$TALLY"

say "the assert-enabled server (scripts/cassert.sh)"
cassert_log=$(mktemp)
bash "$TICKETING_ROOT/scripts/cassert.sh" 2>&1 | tee "$cassert_log" >&2
line=$(grep -E '^cassert: [0-9]+ passed, [0-9]+ failed' "$cassert_log" | tail -1)
if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    echo "cassert ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}" >>"$TALLY"
else
    echo "cassert 0 1" >>"$TALLY"
fi
rm -f "$cassert_log"

say "the Debian package (test/package/run_package.sh)"
package_log=$(mktemp)
bash "$TICKETING_ROOT/test/package/run_package.sh" 2>&1 | tee "$package_log" >&2
line=$(grep -E '^package: [0-9]+ passed, [0-9]+ failed' "$package_log" | tail -1)
if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    echo "package ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}" >>"$TALLY"
else
    echo "package 0 1" >>"$TALLY"
fi
rm -f "$package_log"

say "benchmark smoke run (bench/run.sh --quick)"
bench_log=$(mktemp)
bash "$TICKETING_ROOT/bench/run.sh" --quick --no-build 2>&1 | tee "$bench_log" >&2
line=$(grep -E '^bench: [0-9]+ passed, [0-9]+ failed' "$bench_log" | tail -1)
if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    echo "bench ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}" >>"$TALLY"
else
    echo "bench 0 1" >>"$TALLY"
fi
rm -f "$bench_log"

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
