#!/usr/bin/env bash
# claim_any must answer sold_out only when the event really had nothing left at one
# moment. An event of two tickets is never sold out: one client swaps which of the two
# it owns, again and again, each swap one transaction (release one, claim the other),
# so every committed state has exactly one ticket available. Other clients call
# claim_any in transactions they roll back and record every sold_out answer they get.
# Any sold_out answer is wrong. (A walk that read the ticket ids above its random start
# and those below it under two snapshots could see the available ticket move from one
# half to the other between them, and answer sold_out.)
#
# usage: test/stress/claim_any_sold_out_check.sh   (SECONDS_TO_RUN=8, CLIENTS=6)
# Needs PGHOST/PGPORT/PGUSER/... pointing at a PostgreSQL 15 server with the extension.
# Ends with "soldoutcheck: N passed, M failed".
set -uo pipefail

SECONDS_TO_RUN="${SECONDS_TO_RUN:-8}"
CLIENTS="${CLIENTS:-6}"
TICKETS=2
DB="${SOLDOUT_DB:-ticketing_soldout_check}"
TEST=claim-any-sold-out-check
SUITE=soldoutcheck
source "$(dirname "${BASH_SOURCE[0]}")/event_db.sh"

create_event_db 'never sold out' \
    "CREATE TABLE public.sold_out_answers (at timestamptz DEFAULT clock_timestamp(), remaining bigint)" \
    "SELECT outcome FROM ticketing.claim_ticket(1, 2, 'churn')" \
    "CREATE FUNCTION public.swap() RETURNS void LANGUAGE plpgsql AS \$\$
     DECLARE mine bigint;
     BEGIN
         SELECT ticket_id INTO mine FROM ticketing.tickets
          WHERE event_id = 1 AND owner = 'churn' AND status = 'sold';
         PERFORM ticketing.release_ticket(1, mine, 'churn');
         PERFORM ticketing.claim_ticket(1, 3 - mine, 'churn');
     END \$\$"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "SELECT public.swap();" >"$work/churn.sql"
cat >"$work/probe.sql" <<'SQL'
BEGIN;
SELECT (outcome = 'sold_out')::int AS sold_out, coalesce(remaining, -1) AS remaining
  FROM ticketing.claim_any(1, 'probe-' || :client_id) \gset
ROLLBACK;
\if :sold_out
INSERT INTO public.sold_out_answers (remaining) VALUES (:remaining);
\endif
SQL
echo "claim_any sold-out check: 1 client swapping 2 tickets, $CLIENTS probing clients, ${SECONDS_TO_RUN}s"
"$PGBENCH" -n -M prepared -c 1 -T "$SECONDS_TO_RUN" -f "$work/churn.sql" "$DB" >"$work/churn.out" 2>&1 &
churn=$!
"$PGBENCH" -n -M prepared -c "$CLIENTS" -j 2 -T "$SECONDS_TO_RUN" -f "$work/probe.sql" "$DB" \
    >"$work/probe.out" 2>&1 || { cat "$work/probe.out"; fail "the probing clients failed"; }
wait "$churn" || { cat "$work/churn.out"; fail "the swapping client failed"; }
swaps=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$work/churn.out")
probes=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$work/probe.out")
wrong=$(psql_db -c "SELECT count(*) FROM public.sold_out_answers")
sold=$(psql_db -c "SELECT count(*) FROM ticketing.tickets WHERE event_id = 1 AND status = 'sold'")
problems=$(psql_db -c "SELECT count(*) FROM ticketing.verify(1)")
echo "swaps $swaps, claim_any calls $probes, sold_out answers $wrong, sold now $sold, verify problems $problems"
[[ "${swaps:-0}" -gt 100 && "${probes:-0}" -gt 100 ]] || fail "too little ran to tell"
[[ "$wrong" == 0 ]] || fail "claim_any answered sold_out $wrong times while a ticket was available"
[[ "$sold" == 1 ]] || fail "$sold tickets sold, expected the one the swapping client owns"
[[ "$problems" == 0 ]] || fail "verify() reports $problems problems"
pass
