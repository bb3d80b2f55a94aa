#!/usr/bin/env bash
# The client libraries' tests: the Go service (clients/go), the Python wrapper
# (clients/python) and the Node wrapper (clients/node), against the cluster the PG*
# variables point at (a superuser; the ticketing extension installed on the server).
# Makes its own database, installs what it lacks (Debian packages, npm packages from
# clients/node/package-lock.json), prints PASS/FAIL lines, and ends with
#   clients: N passed, M failed
# Run as root, e.g. inside scripts/common.sh's with_cluster.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DB=ticketing_clients
PYTHON=/usr/bin/python3 # Debian's, where python3-psycopg is; not a pyenv one on PATH
LOG=$(mktemp)
source "$(dirname "${BASH_SOURCE[0]}")/../lib/checks.sh"
WORK=$(mktemp -d)



# count SUITE PASSED FAILED: adds a suite's own counts (or one failure when the suite
# did not report).
count() {
    if [[ $2 =~ ^[0-9]+$ && $3 =~ ^[0-9]+$ ]] && [ $(($2 + $3)) -gt 0 ]; then
        echo "$1: $2 passed, $3 failed"
        passed=$((passed + $2))
        failed=$((failed + $3))
    else
        fail "$1 (no result)"
    fi
}

finish() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
    rm -rf "$LOG" "$WORK"
    echo "clients: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

missing_packages() {
    local pkg
    for pkg in golang-go golang-github-jackc-pgx-v4-dev golang-github-gomodule-redigo-dev redis-server \
        postgresql-15-plproxy python3-psycopg python3-mypy; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || echo "$pkg"
    done
    command -v node >/dev/null || echo nodejs
    command -v npm >/dev/null || echo npm
}

install_packages() {
    local missing
    missing=$(missing_packages | tr '\n' ' ')
    [ -z "${missing// /}" ] && return 0
    say "installing: $missing"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086 # a list of package names
    apt-get -o DPkg::Lock::Timeout=600 update -qq &&
        apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
}

if ! install_packages; then
    fail "installing packages"
    finish
    exit 1
fi
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" 2>/dev/null &&
    psql -X -q -d "$DB" -c "CREATE EXTENSION ticketing" || {
    fail "creating database $DB with the extension"
    finish
    exit 1
}
export PGDATABASE=$DB

# --- Go --------------------------------------------------------------------------
say "Go: gofmt, vet, tests (the service and the wrapper), the benchmark tools"
(
    source "$ROOT/clients/go/goenv.sh"
    cd "$ROOT/clients/go" || exit 1
    unformatted=$(gofmt -l src)
    [ -z "$unformatted" ] && echo "PASS go: gofmt" || { echo "FAIL go: gofmt: $unformatted"; }
    if go vet flashsale/... >"$LOG" 2>&1; then echo "PASS go: vet"; else cat "$LOG" >&2; echo "FAIL go: vet"; fi
    go test -count=1 -v flashsale/... >"$LOG" 2>&1
    status=$?
    cat "$LOG" >&2
    p=$(grep -c -- '^--- PASS' "$LOG")
    f=$(grep -c -- '^--- FAIL' "$LOG")
    [ "$status" -ne 0 ] && [ "$f" -eq 0 ] && f=1 # a build failure or a panic
    echo "COUNT go-test $p $f"
) >"$WORK/go.out"
while read -r word name rest; do
    case $word in
        PASS) pass "$name $rest" ;;
        FAIL) fail "$name $rest" ;;
        COUNT) read -r p f <<<"$rest"; count "go test" "$p" "$f" ;;
    esac
done <"$WORK/go.out"

check "go: build flashsale, flashload, flashreport" bash "$ROOT/clients/go/build.sh" "$WORK/bin"

# bench_smoke HANDLER [FLAGS...]: the service with the handler (and flags) under one
# second of load from flashload over HTTP; every answer 200 or 409, verify() clean.
bench_smoke() {
    local handler=$1 event log="$WORK/flashsale-$1.log" addr="" pid status
    shift
    event=$(psql -X -A -t -q -c "SELECT ticketing.create_event('smoke $handler')") || return 1
    psql -X -q -c "SELECT ticketing.add_tickets($event, 2000)" >/dev/null || return 1
    "$WORK/bin/flashsale" -listen 127.0.0.1:0 -handler "$handler" -pool 8 "$@" 2>"$log" &
    pid=$!
    for _ in $(seq 100); do
        addr=$(sed -n 's/.*listening on \(.*\)$/\1/p' "$log")
        [ -n "$addr" ] && break
        sleep 0.1
    done
    "$WORK/bin/flashload" -url "http://$addr" -event "$event" -tickets 2000 -concurrency 8 \
        -duration 1s -warmup 0s -handler "$handler" -workload smoke >"$WORK/smoke.json"
    status=$?
    kill "$pid"
    wait "$pid"
    cat "$log"
    [ "$status" -eq 0 ] && grep -q '"requests"' "$WORK/smoke.json" &&
        [ "$(psql -X -A -t -q -c "SELECT count(*) FROM ticketing.verify($event)")" = 0 ]
}
if [ -x "$WORK/bin/flashsale" ]; then
    check "go: load smoke, extension handler, coalesced" bench_smoke extension
    check "go: load smoke, extension handler, -coalesce=off" bench_smoke extension -coalesce=off
    check "go: load smoke, article handler" bench_smoke article
fi

# --- Python ----------------------------------------------------------------------
say "Python: mypy --strict, tests, example"
check "python: mypy --strict" bash -c "cd '$ROOT/clients/python' &&
    $PYTHON -m mypy --strict --cache-dir='$WORK/mypy' ticketing_client example.py tests"
(cd "$ROOT/clients/python" && PYTHONDONTWRITEBYTECODE=1 $PYTHON -m tests.run) >"$LOG" 2>&1
cat "$LOG" >&2
if [[ $(grep -E '^python: [0-9]+ passed, [0-9]+ failed' "$LOG" | tail -1) =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    count "python tests" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
else
    fail "python tests (no result)"
fi
# The example runs to its end (exit 0) and its output says alice got ticket 1.
check "python: example" bash -c "cd '$ROOT/clients/python' &&
    out=\$(PYTHONDONTWRITEBYTECODE=1 $PYTHON example.py) && printf '%s\n' \"\$out\" >&2 &&
    grep -q '^alice claims ticket 1: claimed' <<<\"\$out\""

# --- Node ------------------------------------------------------------------------
say "Node: npm ci, tsc, tests, example"
check "node: npm ci (package-lock.json)" bash -c "cd '$ROOT/clients/node' && npm ci --no-audit --no-fund"
check "node: tsc --checkJs" bash -c "cd '$ROOT/clients/node' && npx --no-install tsc -p jsconfig.json"
(cd "$ROOT/clients/node" && node --test --test-reporter=tap test/*.test.js) >"$LOG" 2>&1
cat "$LOG" >&2
count "node tests" "$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$LOG")" "$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$LOG")"
check "node: example" bash -c "cd '$ROOT/clients/node' &&
    out=\$(node example.js) && printf '%s\n' \"\$out\" >&2 &&
    grep -q '^alice claims ticket 1: claimed' <<<\"\$out\""

finish
