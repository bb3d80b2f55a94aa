#!/usr/bin/env bash
# The suites that need a running server; run by scripts/test.sh inside pg_virtualenv
# (PGHOST, PGPORT, PGUSER, PGPASSWORD set). Appends "suite passed failed" lines to $1
# and the lines naming what failed to $2.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
TALLY=$1
FAILURES=${2:-/dev/null}

# note_failures SUITE LOG: our scripts' "FAIL ..." lines, pg_regress's "... FAILED".
note_failures() {
    grep -E '^FAIL|FAILED' "$2" | sed "s/^/$1: /" >>"$FAILURES"
}

# pg_regress and pg_isolation_regress end with "All N tests passed." or
# "M of N tests failed." (PostgreSQL 15).
record_regress() {
    local suite=$1 log=$2 line total failed
    note_failures "$suite" "$log"
    line=$(grep -E 'All [0-9]+ tests passed|[0-9]+ of [0-9]+ tests failed' "$log" | tail -1)
    if [[ $line =~ All\ ([0-9]+)\ tests\ passed ]]; then
        echo "$suite ${BASH_REMATCH[1]} 0" >>"$TALLY"
    elif [[ $line =~ ([0-9]+)\ of\ ([0-9]+)\ tests\ failed ]]; then
        failed=${BASH_REMATCH[1]}
        total=${BASH_REMATCH[2]}
        echo "$suite $((total - failed)) $failed" >>"$TALLY"
        [ -f "$TICKETING_ROOT/$3/regression.diffs" ] && cat "$TICKETING_ROOT/$3/regression.diffs" >&2
    else
        echo "$suite 0 1" >>"$TALLY"
    fi
}

# Scripts of our own end with "<suite>: N passed, M failed".
record_summary() {
    local suite=$1 log=$2 line
    note_failures "$suite" "$log"
    line=$(grep -E "^$suite: [0-9]+ passed, [0-9]+ failed" "$log" | tail -1)
    if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
        echo "$suite ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}" >>"$TALLY"
    else
        echo "$suite 0 1" >>"$TALLY"
    fi
}

cd "$TICKETING_ROOT" || exit 1
log=$(mktemp)

say "pg_regress"
make -s installcheck ISOLATION= PG_CONFIG="$PG_BINDIR/pg_config" 2>&1 | tee "$log" >&2
record_regress regress "$log" .

say "isolation specs"
make -s installcheck REGRESS= PG_CONFIG="$PG_BINDIR/pg_config" 2>&1 | tee "$log" >&2
record_regress isolation "$log" test/isolation

say "claim_any sell-out"
bash "$TICKETING_ROOT/test/stress/claim_any_sellout.sh" 2>&1 | tee "$log" >&2
record_summary sellout "$log"

say "claim_any sold-out check"
bash "$TICKETING_ROOT/test/stress/claim_any_sold_out_check.sh" 2>&1 | tee "$log" >&2
record_summary soldoutcheck "$log"

say "claim_batch race"
bash "$TICKETING_ROOT/test/stress/claim_batch_race.sh" 2>&1 | tee "$log" >&2
record_summary batchrace "$log"

say "the update chain from 1.0 (test/upgrade/update_chain.sh)"
bash "$TICKETING_ROOT/test/upgrade/update_chain.sh" 2>&1 | tee "$log" >&2
record_summary update "$log"

say "concurrency contracts: every isolation level, every wait mode (test/stress/contracts.sh)"
bash "$TICKETING_ROOT/test/stress/contracts.sh" 2>&1 | tee "$log" >&2
record_summary contracts "$log"

say "quota sell-out: two overlapping quotas bind before the seats (test/stress/quota_sellout.sh)"
bash "$TICKETING_ROOT/test/stress/quota_sellout.sh" 2>&1 | tee "$log" >&2
record_summary quotasellout "$log"

say "shared carts: 64 clients on 16 carts, every wait mode, every level (test/stress/shared_carts.sh)"
bash "$TICKETING_ROOT/test/stress/shared_carts.sh" 2>&1 | tee "$log" >&2
record_summary sharedcarts "$log"

say "waiting list: 64 clients refund, join, answer and buy while the list drains (test/stress/waitlist_drain.sh)"
bash "$TICKETING_ROOT/test/stress/waitlist_drain.sh" 2>&1 | tee "$log" >&2
record_summary waitlist "$log"

say "waiting list under two quotas that bind before the seats (WAITLIST_QUOTAS=1 test/stress/waitlist_drain.sh)"
WAITLIST_QUOTAS=1 bash "$TICKETING_ROOT/test/stress/waitlist_drain.sh" 2>&1 | tee "$log" >&2
record_summary waitlistquotas "$log"

say "clients: Go, Python and Node"
bash "$TICKETING_ROOT/test/clients/run_clients.sh" 2>&1 | tee "$log" >&2
record_summary clients "$log"

say "stress test"
bash "$TICKETING_ROOT/test/stress/run_stress.sh" "$TICKETING_BUILD/test/loadgen/ticketing-load" 2>&1 \
    | tee "$log" >&2
record_summary stress "$log"
rm -f "$log"
