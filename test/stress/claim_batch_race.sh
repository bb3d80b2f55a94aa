#!/usr/bin/env bash
# claim_batch against claim_ticket and claim_any on the same tickets, from many
# connections (pgbench): batches of random tickets (some named twice in one batch, so
# both of claim_batch's passes run: the lock-free one and the SKIP LOCKED one) race
# single claims and any-seat claims (each sold without a lock when it can be) until the
# event is sold out. Every answer is recorded in the same statement as the call, so it
# commits with the sale. Then: every ticket sold exactly once, one `claimed` answer per
# sale and to the customer the audit log names, and verify() clean.
#
# usage: test/stress/claim_batch_race.sh   (TICKETS=20000 CLIENTS=16 RACE_SECONDS=4 by default)
# Needs PGHOST/PGPORT/PGUSER/... pointing at a PostgreSQL 15 server with the extension.
# Prints "PASS claim-batch-race" or "FAIL ..." lines and ends with
# "batchrace: N passed, M failed".
set -uo pipefail

TICKETS="${TICKETS:-20000}"
CLIENTS="${CLIENTS:-16}"
SECONDS_TO_RUN="${RACE_SECONDS:-4}"
DB="${BATCH_RACE_DB:-ticketing_batch_race}"
TEST=claim-batch-race
SUITE=batchrace
source "$(dirname "${BASH_SOURCE[0]}")/event_db.sh"

create_event_db 'claim_batch race' "$ANSWERS_TABLE"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# 20 random tickets per batch, for customer b<client>.
cat >"$work/batch.sql" <<SQL
WITH r AS (
    SELECT * FROM ticketing.claim_batch(1, ARRAY(
        SELECT ROW(1 + floor(random() * $TICKETS)::bigint, 'b' || :client_id, NULL)::ticketing.claim_request
          FROM generate_series(1, 20))))
INSERT INTO public.answers SELECT 'batch', outcome, ticket_id, 'b' || :client_id FROM r;
SQL
cat >"$work/single.sql" <<SQL
\set t random(1, $TICKETS)
INSERT INTO public.answers
SELECT 'single', outcome, ticket_id, 'c' || :client_id FROM ticketing.claim_ticket(1, :t, 'c' || :client_id);
SQL
cat >"$work/any.sql" <<SQL
INSERT INTO public.answers
SELECT 'any', outcome, ticket_ids[1], 'a' || :client_id FROM ticketing.claim_any(1, 'a' || :client_id);
SQL
echo "claim_batch race: $TICKETS tickets, $CLIENTS clients, ${SECONDS_TO_RUN}s"
"$PGBENCH" -n -M prepared -c "$CLIENTS" -j 2 -T "$SECONDS_TO_RUN" \
    -f "$work/batch.sql@1" -f "$work/single.sql@4" -f "$work/any.sql@2" "$DB" >"$work/out" 2>&1 ||
    { cat "$work/out"; fail "pgbench failed"; }
grep -E '^(tps|number of failed)' "$work/out"

check_sales
echo "busy answers $(count_answers "outcome = 'busy'")"
psql_db -c "SELECT via || ': ' || string_agg(outcome || ' ' || n, ', ' ORDER BY outcome)
              FROM (SELECT via, outcome, count(*) AS n FROM public.answers GROUP BY 1, 2) s
             GROUP BY via ORDER BY via"
pass
