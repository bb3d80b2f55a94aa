#!/usr/bin/env bash
# The reliability suites that need clusters of their own (PostgreSQL's TAP modules):
# crash ledger, streaming standby and logical decoding, dump and restore, concurrent
# bad input (serialization failures, lock timeouts, a cancel in the middle of a batch),
# the schema-hijack attack against the 1.1 scripts, sqlsmith, API fuzzing, and
# expire_holds() on a pg_cron schedule.
#
# usage (as root, with the extension installed system-wide):
#   test/reliability/run_reliability.sh [t/NNN_name.pl ...]
# Environment:
#   TICKETING_EXTENSION_DESTDIR  use the extension installed under this DESTDIR instead
#                                (make install DESTDIR=...; development)
#   RELIABILITY_LONG=1           the long run: 10 minutes of sqlsmith, a 3-minute crash
#                                load with 6 kills, 1 minute of replica load, 2 minutes
#                                of API fuzzing (instead of 2 min, 45 s and 3, 20 s, 30 s)
#   SQLSMITH_SECONDS, SQLSMITH_SEED, SQLSMITH_WEIGHT, LEDGER_SECONDS, LEDGER_SEED, KILLS,
#   LEDGER_SYNCHRONOUS_COMMIT, CLIENTS, REPLICA_SECONDS, API_FUZZ_SECONDS, API_FUZZ_SEED
#                                override one part (see each test file)
# The last line is "reliability: N passed, M failed" (TAP assertions; a test file that
# dies or ends early counts one more failure).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PG_BINDIR=/usr/lib/postgresql/15/bin
PGXS_DIR=/usr/lib/postgresql/15/lib/pgxs
say() { printf '==> %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    say "run this as root: it installs packages and runs clusters as the postgres OS user"
    echo "reliability: 0 passed, 1 failed"
    exit 2
fi

# Packages: TAP modules (IPC::Run), the clients (DBD::Pg), sqlsmith, git (the 1.1
# scripts for the hijack test come from the repository's history), pg_cron (009).
need=()
for pkg in libipc-run-perl libdbd-pg-perl sqlsmith postgresql-15 postgresql-server-dev-15 git \
    postgresql-15-cron; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    say "installing: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt=(apt-get -o DPkg::Lock::Timeout=600)
    if ! "${apt[@]}" update -qq || ! "${apt[@]}" install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
        say "could not install ${need[*]}"
        echo "reliability: 0 passed, 1 failed"
        exit 1
    fi
fi

if [ "${RELIABILITY_LONG:-0}" = 1 ]; then
    export SQLSMITH_SECONDS=${SQLSMITH_SECONDS:-600}
    export LEDGER_SECONDS=${LEDGER_SECONDS:-180}
    export KILLS=${KILLS:-6}
    export REPLICA_SECONDS=${REPLICA_SECONDS:-60}
    export API_FUZZ_SECONDS=${API_FUZZ_SECONDS:-120}
fi

# The TAP clusters run as postgres (PostgreSQL refuses root) in a directory of their own.
WORK=$(mktemp -d /tmp/ticketing-reliability.XXXXXX)
chmod 755 "$WORK"
chown postgres: "$WORK"
trap 'rm -rf "$WORK"' EXIT

# The 1.1 install scripts, for the test that shows the schema-hijack attack working on
# them (ea615d3 is the last commit whose default version is 1.1).
OLD_SCRIPTS="$WORK/scripts-1.1"
if git -C "$ROOT" cat-file -e ea615d3:ticketing--1.0--1.1.sql 2>/dev/null; then
    mkdir -p "$OLD_SCRIPTS"
    for f in ticketing.control ticketing--1.0.sql ticketing--1.0--1.1.sql; do
        git -C "$ROOT" show "ea615d3:$f" >"$OLD_SCRIPTS/$f"
    done
else
    say "no git history here: the hijack test against the 1.1 scripts will be skipped"
fi

# A copy of the suite the postgres user can read wherever the checkout lives.
SUITE="$WORK/suite"
mkdir -p "$SUITE"
cp -r "$HERE/t" "$HERE/lib" "$SUITE/"
cp -r "$ROOT/sql/include" "$SUITE/sql-include"
chown -R postgres: "$SUITE"

tests=()
for test in "$@"; do
    tests+=("$SUITE/t/$(basename "$test")")
done
if [ ${#tests[@]} -eq 0 ]; then
    tests=("$SUITE"/t/*.pl)
fi

passed=0
failed=0
for test in "${tests[@]}"; do
    name=$(basename "$test" .pl)
    log="$WORK/$name.log"
    say "$name"
    started=$(date +%s)
    install -d -o postgres "$WORK/$name"
    # prove -v: the assertions and the figures (diag) go to the log and to stderr. From
    # $WORK: in a directory postgres cannot enter, every psql of the test warns on
    # stderr, and poll_query_until counts any stderr as not done.
    (cd "$WORK" && runuser -u postgres -- env -i PATH="$PG_BINDIR:/usr/local/bin:/usr/bin:/bin" \
        HOME="$WORK" LANG=C.UTF-8 TESTDIR="$WORK/$name" \
        PG_REGRESS="$PGXS_DIR/src/test/regress/pg_regress" \
        PERL5LIB="$PGXS_DIR/src/test/perl:$SUITE/lib" \
        TICKETING_OLD_SCRIPTS="$OLD_SCRIPTS" TICKETING_SQL_INCLUDE="$SUITE/sql-include" \
        ${TICKETING_EXTENSION_DESTDIR:+TICKETING_EXTENSION_DESTDIR="$TICKETING_EXTENSION_DESTDIR"} \
        ${SQLSMITH_SECONDS:+SQLSMITH_SECONDS="$SQLSMITH_SECONDS"} \
        ${SQLSMITH_SEED:+SQLSMITH_SEED="$SQLSMITH_SEED"} ${SQLSMITH_WEIGHT:+SQLSMITH_WEIGHT="$SQLSMITH_WEIGHT"} \
        ${LEDGER_SECONDS:+LEDGER_SECONDS="$LEDGER_SECONDS"} \
        ${LEDGER_SEED:+LEDGER_SEED="$LEDGER_SEED"} \
        ${LEDGER_SYNCHRONOUS_COMMIT:+LEDGER_SYNCHRONOUS_COMMIT="$LEDGER_SYNCHRONOUS_COMMIT"} \
        ${KILLS:+KILLS="$KILLS"} ${CLIENTS:+CLIENTS="$CLIENTS"} \
        ${REPLICA_SECONDS:+REPLICA_SECONDS="$REPLICA_SECONDS"} \
        ${API_FUZZ_SECONDS:+API_FUZZ_SECONDS="$API_FUZZ_SECONDS"} ${API_FUZZ_SEED:+API_FUZZ_SEED="$API_FUZZ_SEED"} \
        prove -v "$test") >"$log" 2>&1
    status=$?
    cat "$log" >&2
    ok=$(grep -cE '^ *ok [0-9]+' "$log")
    notok=$(grep -cE '^ *not ok [0-9]+' "$log")
    # A file that died, or ran fewer tests than planned, fails once more.
    if [ "$status" -ne 0 ] && [ "$notok" -eq 0 ]; then
        notok=1
    fi
    passed=$((passed + ok))
    failed=$((failed + notok))
    say "$name: $ok passed, $notok failed in $(($(date +%s) - started)) s"
    if [ "$status" -ne 0 ] && [ -d "$WORK/$name/tmp_check/log" ]; then
        # Keep the server logs of a failed part for the record.
        keep=/tmp/ticketing-reliability-failed-$name
        rm -rf "$keep"
        cp -r "$WORK/$name/tmp_check/log" "$keep" && say "server logs kept in $keep"
    fi
done

echo "reliability: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
