#!/usr/bin/env bash
# The seat map in a real browser (issue 22): Debian's headless Chromium, driven through
# chromedriver (WebDriver) by a Go program (test/browser/driver), against the flash-sale
# service on a throwaway cluster that preloads ticketing (so the database announces
# changes). Checks the extension's notifications, then the page: it loads with the right
# counts, a claim through the API turns its seat sold within a second, a click buys a free
# seat (with an idempotency key) and explains why not on a sold or held one, the keyboard
# works, nothing is wider than a phone, the page matches the database mid-sale and after
# the service restarts (resumed with Last-Event-ID: no new snapshot, no change twice);
# and the service's feed tests. Screenshots and the service's log go to test/browser/out.
#
# As root, with the extension installed on the system's PostgreSQL 15 (scripts/test.sh
# does that first; by hand: /work/bin/with-pg15-lock bash -c 'make install && bash
# test/browser/run_browser.sh'). Last line: "browser: N passed, M failed".
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$ROOT/scripts/common.sh"
LOG=$(mktemp)
WORK=$(mktemp -d)
OUT="$ROOT/test/browser/out"
source "$ROOT/test/lib/checks.sh"
trap 'rm -rf "$WORK" "$LOG"' EXIT

finish() {
    echo "browser: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

require_root
ensure_packages chromium chromium-driver golang-go golang-github-jackc-pgx-v4-dev
mkdir -p "$OUT" && rm -f "$OUT"/*.png "$OUT"/*.log
chmod 755 "$WORK"

check "build flashsale" bash "$ROOT/clients/go/build.sh" "$WORK" || finish
check "build the browser driver" bash -c "source '$ROOT/clients/go/goenv.sh' &&
    cd '$ROOT' && go vet ./test/browser/driver && go build -o '$WORK/driver' ./test/browser/driver" || finish

say "the browser suite in a throwaway cluster with ticketing preloaded"
pg_virtualenv -t -o shared_preload_libraries=ticketing -o max_connections=100 \
    bash "$ROOT/test/browser/inside.sh" "$WORK" "$OUT" >"$WORK/inside.out" 2>"$WORK/inside.err"
cat "$WORK/inside.err" >&2
cat "$WORK/inside.out"
while read -r word rest; do
    case $word in
        PASS) passed=$((passed + 1)) ;;
        FAIL) failed=$((failed + 1)) ;;
    esac
done < <(grep -E '^(PASS|FAIL) ' "$WORK/inside.out")
grep -q '^PASS browser: a reconnect after the service restarts' "$WORK/inside.out" ||
    fail "the browser checks did not all run (see above)"
finish
