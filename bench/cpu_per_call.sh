#!/usr/bin/env bash
# CPU per sale of one backend, inside one transaction (no commit, no client round trip),
# for two builds side by side: claim_batch against the hand-written batched statement
# (batch_statement) and claim_ticket against the hand-written single statement
# (single_statement), each driven by the same PL/pgSQL loop (whose statements are kept
# plans, as the extension's are). Both builds run at once in two clusters and take turns
# call kind by call kind, so that what else the machine does falls on both alike; the
# backend's CPU time comes from /proc/PID/schedstat (nanoseconds), not from the clock.
#
# usage: bash bench/cpu_per_call.sh DESTDIR_A DESTDIR_B [ROUNDS]     (as root)
#   make -C /tmp/old install DESTDIR=/tmp/a && make install DESTDIR=/tmp/b
#   bash bench/cpu_per_call.sh /tmp/a /tmp/b 6
# Each cluster has one event of 1,000,000 tickets; each turn buys in a fresh range of
# 40,000 of them (CALL_BATCHES batches of 100 random seats, default 40, or CALL_SINGLES
# single claims, default 4,000: about a tenth of the range sold). Prints one line per
# turn (build, round, kind, sales, µs of CPU) and the medians per sale with the ratios
# statement / extension (above 1: the extension spends less CPU per sale).
set -uo pipefail
A=${1:?usage: cpu_per_call.sh DESTDIR_A DESTDIR_B [ROUNDS]}
B=${2:?usage: cpu_per_call.sh DESTDIR_A DESTDIR_B [ROUNDS]}
ROUNDS=${3:-6}
BATCHES=${CALL_BATCHES:-40}
SINGLES=${CALL_SINGLES:-4000}
BIN=/usr/lib/postgresql/15/bin
[ "$((ROUNDS * 4 * 40000))" -le 1000000 ] || { echo "at most 6 rounds" >&2; exit 2; }

WORK=$(mktemp -d)
chmod 755 "$WORK"
mkdir "$WORK/socket"
chown postgres "$WORK/socket"
stop() {
    for side in a b; do
        [ -d "$WORK/$side" ] && su postgres -c "$BIN/pg_ctl -D $WORK/$side -m immediate stop" >/dev/null 2>&1
    done
    rm -rf "$WORK"
}
trap stop EXIT

# A port nobody listens on, from a start that differs per run.
free_port() {
    local port=$((20000 + RANDOM % 20000))
    while ss -ltn | grep ":$port " >/dev/null; do port=$((port + 1)); done # not -q: pipefail
    echo "$port"
}
declare -A PORT
for side in a b; do
    tree=$A
    [ "$side" = b ] && tree=$B
    mkdir "$WORK/$side"
    chown postgres "$WORK/$side"
    su postgres -c "$BIN/initdb -A trust -D $WORK/$side >/dev/null" || exit 1
    PORT[$side]=$(free_port)
    su postgres -c "$BIN/pg_ctl -D $WORK/$side -l $WORK/$side/server.log -w -o \"-p ${PORT[$side]} -k $WORK/socket -c listen_addresses= -c extension_destdir=$tree -c autovacuum=off -c shared_buffers=512MB -c max_wal_size=4GB -c checkpoint_timeout=30min\" start" >/dev/null ||
        { cat "$WORK/$side/server.log" >&2; exit 1; }
done
q() { # q SIDE ARGS...: psql on that build's cluster
    local side=$1
    shift
    psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$WORK/socket" -p "${PORT[$side]}" -U postgres -d postgres "$@"
}
for side in a b; do
    q "$side" -c "CREATE EXTENSION ticketing" -c "SELECT ticketing.create_event('cpu', event_id => 1)" \
        -c "SELECT ticketing.add_tickets(1, 1000000)" -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null ||
        exit 1
done

# One turn: KIND (claim_batch, batch_statement, claim_ticket, single_statement) on range
# LO .. LO + 39,999, N times, in one transaction; prints "sales µs". The backend reads
# its own CPU time before and after the loop (/proc/self is the backend).
turn() {
    local side=$1 kind=$2 lo=$3 n=$4
    q "$side" <<SQL
SELECT split_part(pg_catalog.pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint AS before \gset
DO \$\$
DECLARE lo bigint := $lo; t bigint;
BEGIN
  FOR i IN 1..$n LOOP
    CASE '$kind'
    WHEN 'claim_batch' THEN
      PERFORM count(*) FROM ticketing.claim_batch(1, ARRAY(SELECT ROW(lo + floor(random() * 40000)::bigint, 'c1', NULL)::ticketing.claim_request FROM generate_series(1, 100)));
    WHEN 'batch_statement' THEN
      WITH sold AS (UPDATE ticketing.tickets SET status = 'sold', owner = 'c1', updated_at = now()
                     WHERE event_id = 1 AND status = 'available'
                       AND ticket_id = ANY (ARRAY(SELECT DISTINCT lo + floor(random() * 40000)::bigint FROM generate_series(1, 100) ORDER BY 1))
                 RETURNING event_id, ticket_id, owner, updated_at)
      INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, at)
      SELECT event_id, ticket_id, 'available', 'sold', owner, updated_at FROM sold;
    WHEN 'claim_ticket' THEN
      t := lo + floor(random() * 40000)::bigint;
      PERFORM ticketing.claim_ticket(1, t, 'c1');
    ELSE
      t := lo + floor(random() * 40000)::bigint;
      WITH u AS (UPDATE ticketing.tickets SET status = 'sold', owner = 'c1', updated_at = now()
                  WHERE event_id = 1 AND ticket_id = t AND status = 'available'
              RETURNING event_id, ticket_id, owner, updated_at)
      INSERT INTO ticketing.audit_log (event_id, ticket_id, from_status, to_status, customer, at)
      SELECT event_id, ticket_id, 'available', 'sold', owner, updated_at FROM u;
    END CASE;
  END LOOP;
END \$\$;
SELECT (SELECT count(*) FROM ticketing.audit_log WHERE event_id = 1 AND ticket_id >= $lo
          AND ticket_id < $lo + 40000) || ' ' ||
       (split_part(pg_catalog.pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint - :before) / 1000;
SQL
}

results=$WORK/results
range=0
for round in $(seq 1 "$ROUNDS"); do
    for kind in claim_batch batch_statement claim_ticket single_statement; do
        n=$SINGLES
        case $kind in *batch*) n=$BATCHES ;; esac
        lo=$((range * 40000 + 1))
        range=$((range + 1))
        for side in a b; do
            echo "$side $round $kind $(turn "$side" "$kind" "$lo" "$n")" | tee -a "$results"
        done
        for side in a b; do q "$side" -c "CHECKPOINT" >/dev/null; done
    done
done
python3 - "$results" <<'PY'
import statistics, sys
per_sale = {}
for line in open(sys.argv[1]):
    side, _, kind, sales, us = line.split()
    per_sale.setdefault((side, kind), []).append(int(us) / int(sales))
for side in "ab":
    m = {k: statistics.median(per_sale[(side, k)]) for k in
         ("claim_batch", "batch_statement", "claim_ticket", "single_statement")}
    print(f"build {side}: µs of CPU per sale (median of {len(per_sale[(side, 'claim_batch')])} turns): "
          + ", ".join(f"{k} {v:.1f}" for k, v in m.items())
          + f"; claim_batch {m['batch_statement'] / m['claim_batch']:.2f}x batch_statement,"
          + f" claim_ticket {m['single_statement'] / m['claim_ticket']:.2f}x single_statement")
for kind in ("claim_batch", "claim_ticket"):
    pairs = [b / a for a, b in zip(per_sale[("a", kind)], per_sale[("b", kind)])]
    print(f"{kind}: build b / build a, CPU per sale, per round: "
          + ", ".join(f"{r:.2f}" for r in pairs) + f" (median {statistics.median(pairs):.2f})")
PY
