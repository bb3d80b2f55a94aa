#!/usr/bin/env bash
# The extension on another PostgreSQL major, from nothing: builds that PostgreSQL once
# from Debian's source package into the cache (scripts/majors-server.sh), builds the
# extension against it from a copy of the tree with -Werror, starts a throwaway cluster
# of it as the postgres OS user, and runs there pg_regress, the isolation specs, the
# claim_any sell-out, the claim_batch race and the update chain from 1.0
# (test/upgrade/update_chain.sh); then pg_upgrade of a cluster of PostgreSQL 15 (built
# from Debian 12's source package, see below) in the middle of a sale to this major
# (test/upgrade/pg_upgrade.sh).
# Last line: "pgMAJOR: N passed, M failed" (one per pg_regress test and isolation spec,
# one per check of the other parts).
#
#   bash scripts/majors.sh 18        (as root; scripts/test.sh runs it for 17 and 18)
# Environment: TICKETING_CACHE (default /var/cache/ticketing) holds the server builds;
# MAJOR_UPGRADE=0 skips the pg_upgrade part.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/cassert-server.sh"
source "$(dirname "${BASH_SOURCE[0]}")/majors-server.sh"

major=${1:?usage: scripts/majors.sh MAJOR (17 or 18)}
suite=pg$major
LOG=$(mktemp)
source "$TICKETING_ROOT/test/lib/checks.sh"

require_root
ensure_packages "${MAJOR_BUILD_PACKAGES[@]}"
# The extension without sanitizers: a release server does not preload their runtime
# (read by cassert_build_extension and cassert_start; not exported, or make would see
# it defined).
TICKETING_SANITIZE=0

finish() {
    echo "$suite: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}
# timed PART COMMAND...: runs the command and says how long it took.
timed() {
    local part=$1 started=$SECONDS status
    shift
    "$@"
    status=$?
    say "$suite: $part took $((SECONDS - started)) s"
    return $status
}

# count_tests PART LOG: pg_regress / pg_isolation_regress output, one PASS or FAIL per
# test ("ok 3 - name" / "not ok 3 - name" since PostgreSQL 16); their closing line must
# be there too, or the run counts as one failure.
count_tests() {
    local part=$1 log=$2 ok notok
    ok=$(grep -cE '^ok [0-9]+ ' "$log")
    notok=$(grep -cE '^not ok [0-9]+ ' "$log")
    grep -E '^not ok [0-9]+ ' "$log" | sed "s/^/FAIL $suite-$part: /"
    passed=$((passed + ok))
    failed=$((failed + notok))
    if ! grep -qE '# All [0-9]+ tests passed|# [0-9]+ of [0-9]+ tests failed' "$log" ||
        [ "$ok" -eq 0 ]; then
        fail "$suite-$part: no result line from the test driver"
    fi
}

# counted PART COMMAND...: a script of ours that prints PASS/FAIL lines; each counts
# (a script that prints none failed to run: one failure).
counted() {
    local part=$1 ok notok
    shift
    "$@" >"$LOG" 2>&1
    sed 's/^/    /' "$LOG" >&2 # indented: only the counted lines below start with PASS/FAIL
    ok=$(grep -cE '^PASS' "$LOG")
    notok=$(grep -cE '^FAIL' "$LOG")
    grep -E '^(PASS|FAIL)' "$LOG" | sed -E "s/^(PASS|FAIL) /\1 $suite-$part: /"
    passed=$((passed + ok))
    failed=$((failed + notok))
    [ $((ok + notok)) -gt 0 ] || fail "$suite-$part: printed no result"
}

say "$suite: the server"
prefix=$(timed "the server (build or cache)" major_server_prefix "$major") ||
    { fail "$suite-server: no PostgreSQL $major build (see above)"; finish; }
say "$suite: PostgreSQL $("$prefix/bin/pg_config" --version) in $prefix"

work=$(mktemp -d /tmp/ticketing-$suite.XXXXXX)
chmod 755 "$work"
trap 'cassert_stop "$work"; rm -rf "$work" "$LOG"' EXIT

# The extension from a copy of the tree (the release build's objects are for 15), with
# -Werror.
check "$suite-build: the extension and the router build with -Werror" \
    timed "the extension's build" cassert_build_extension "$prefix" "$work/src" || finish

# The symbols the module exports: the SQL entry points, _PG_init and the magic block
# (PostgreSQL 16+ PGXS hides the rest by default; src/exports.map does it on 15).
check "$suite-exports: only the entry points, _PG_init and the magic block are exported" \
    bash -c "! nm -D --defined-only '$work/src/ticketing.so' | awk '\$2 ~ /^[TDBR]$/ {print \$3}' |
        grep -vE '^(ticketing_|pg_finfo_ticketing_|_PG_init\$|Pg_magic_func\$)'"

cassert_start "$prefix" "$work" || { fail "$suite-server-start"; finish; }
export PGHOST="$work/socket" PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
unset PGPASSWORD
export PATH="$prefix/bin:$PATH" PGBENCH="$prefix/bin/pgbench"

# installcheck PART DIR MAKE_ARGS...: pg_regress or the isolation specs from the copy.
installcheck() {
    local part=$1 dir=$2
    shift 2
    make -C "$work/src" -s installcheck "$@" PG_CONFIG="$prefix/bin/pg_config" >"$work/$part.log" 2>&1
    cat "$work/$part.log" >&2
    if [ -f "$work/src/$dir/regression.diffs" ]; then
        cat "$work/src/$dir/regression.diffs" >&2
        keep=/tmp/ticketing-$suite-$part-failed # the results, for a new expected file
        rm -rf "$keep" && mkdir -p "$keep" && cp -r "$work/src/$dir/results" "$work/src/$dir/regression.diffs" "$keep/" &&
            say "$suite: the results of $part are kept in $keep"
    fi
    count_tests "$part" "$work/$part.log"
}
# PostgreSQL 18 lists the loaded modules with the name and version of their magic block.
magic_is() { # VERSION
    [ "$(psql -X -q -A -t -v ON_ERROR_STOP=1 -c "LOAD 'ticketing'" \
        -c "SELECT module_name || ' ' || version FROM pg_catalog.pg_get_loaded_modules()
             WHERE file_name = 'ticketing.so'")" = "ticketing $1" ]
}
if [ "$major" -ge 18 ]; then
    version=$(sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" "$TICKETING_ROOT/ticketing.control")
    check "$suite-magic: pg_get_loaded_modules() shows ticketing $version" magic_is "$version"
fi
timed "pg_regress" installcheck regress . ISOLATION=
timed "the isolation specs" installcheck isolation test/isolation REGRESS=
timed "the claim_any sell-out" counted sellout bash "$TICKETING_ROOT/test/stress/claim_any_sellout.sh"
timed "the claim_batch race" counted batchrace bash "$TICKETING_ROOT/test/stress/claim_batch_race.sh"
timed "the update chain" counted update bash "$TICKETING_ROOT/test/upgrade/update_chain.sh"

cassert_stop "$work"
if cassert_log_problems "$work/server.log" >&2; then
    fail "$suite-server-log: a crash in the server log"
else
    pass "$suite-server-log: no crash in the server log"
fi

# pg_upgrade from 15. The old server is PostgreSQL 15 built from Debian 12's own source
# package (main archive), not the installed security update: that one (15.20) stores a
# column version option (pg_attver) that the newest 18 Debian serves (18.6, older) cannot
# restore, and pg_upgrade's new server must be a minor release at least as new as the old.
upgrade_from_15() {
    local old
    old=$(major_server_prefix 15) || { fail "$suite-upgrade: no PostgreSQL 15 build"; return; }
    check "$suite-upgrade-build: the extension for the old server ($old)" \
        cassert_build_extension "$old" "$work/src-15" || return
    counted upgrade env OLD_BINDIR="$old/bin" bash "$TICKETING_ROOT/test/upgrade/pg_upgrade.sh" "$prefix"
}
if [ "${MAJOR_UPGRADE:-1}" != 0 ]; then
    timed "pg_upgrade from 15" upgrade_from_15
fi
finish
