#!/usr/bin/env bash
# Sells a whole event out through ticketing.claim_any from many connections (pgbench),
# recording every answer in the same statement as the call (so it commits with the
# sale), then checks that every ticket was sold exactly once, that there is one
# `claimed` answer per sale, naming the ticket and buyer the audit log names, and that
# the calls after the sell-out answered sold_out; and reports the claim rate in the
# first and the last 10% of the inventory: the access path must not slow down as the
# event sells out. Rates are reported, not asserted.
#
# usage: test/stress/claim_any_sellout.sh   (TICKETS=50000 CLIENTS=32 by default)
# Needs PGHOST/PGPORT/PGUSER/... pointing at a PostgreSQL 15 server with the extension.
# Prints "PASS claim-any-sellout" or "FAIL ..." lines and ends with
# "sellout: N passed, M failed".
set -uo pipefail

TICKETS="${TICKETS:-50000}"
CLIENTS="${CLIENTS:-32}"
DB="${SELLOUT_DB:-ticketing_sellout}"
TEST=claim-any-sellout
SUITE=sellout
source "$(dirname "${BASH_SOURCE[0]}")/event_db.sh"

create_event_db 'claim_any sell-out' "$ANSWERS_TABLE"

script=$(mktemp)
trap 'rm -f "$script"' EXIT
cat >"$script" <<'SQL'
INSERT INTO public.answers
SELECT 'any', outcome, ticket_ids[1], 'buyer-' || :client_id FROM ticketing.claim_any(1, 'buyer-' || :client_id);
SQL
# Enough calls to sell everything, then some that must answer sold_out.
per_client=$((TICKETS / CLIENTS + 20))
echo "claim_any sell-out: $TICKETS tickets, $CLIENTS clients, $per_client calls each"
"$PGBENCH" -n -M prepared -c "$CLIENTS" -j 2 -t "$per_client" -f "$script" "$DB" >/tmp/sellout.$$ 2>&1 ||
    { cat /tmp/sellout.$$; rm -f /tmp/sellout.$$; fail "pgbench failed"; }
grep -E 'tps|latency average|failed' /tmp/sellout.$$
rm -f /tmp/sellout.$$

check_sales "$TICKETS"
sold_out=$(count_answers "outcome = 'sold_out'")
other=$(count_answers "outcome NOT IN ('claimed', 'sold_out', 'busy')")
echo "sold_out answers $sold_out, other answers $other"
[[ "$sold_out" -gt 0 ]] || fail "no call answered sold_out after the sell-out"
[[ "$other" == "0" ]] || fail "$other answers were neither claimed, sold_out nor busy"

# Rates from the sale times: the k-th sale's time, ordered by commit order (audit id).
psql_db -c "
    WITH sales AS (
        SELECT row_number() OVER (ORDER BY audit_id) AS k, at FROM ticketing.audit_log
         WHERE event_id = 1 AND to_status = 'sold'),
    marks AS (
        SELECT max(at) FILTER (WHERE k = 1) AS t0,
               max(at) FILTER (WHERE k = $TICKETS / 10) AS t10,
               max(at) FILTER (WHERE k = $TICKETS - $TICKETS / 10) AS t90,
               max(at) FILTER (WHERE k = $TICKETS) AS t100 FROM sales)
    SELECT format('first 10%%: %s claims/s; last 10%%: %s claims/s; last/first = %s',
                  round(($TICKETS / 10) / greatest(extract(epoch FROM t10 - t0), 0.001)),
                  round(($TICKETS / 10) / greatest(extract(epoch FROM t100 - t90), 0.001)),
                  round((extract(epoch FROM t10 - t0) / greatest(extract(epoch FROM t100 - t90), 0.001))::numeric, 2))
      FROM marks"
pass
