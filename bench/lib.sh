# Shared helpers of the benchmark, sourced by bench/inside.sh (inside a throwaway cluster:
# PGHOST, PGPORT, PGUSER, PGPASSWORD set by pg_virtualenv).

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_DB=${BENCH_DB:-ticketing_bench}
PGBENCH=${PGBENCH:-/usr/lib/postgresql/15/bin/pgbench}
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}

say() { printf '==> %s\n' "$*" >&2; }

# cluster_ticks POSTMASTER_PID: clock ticks of a cluster's processes (the postmaster, the
# children it reaped, and its live ones) from /proc; fields 14-17 (utime, stime, cutime,
# cstime), the command (field 2) having no spaces.
cluster_ticks() {
    local postmaster=$1 total pid fields
    read -r -a fields <"/proc/$postmaster/stat"
    total=$((fields[13] + fields[14] + fields[15] + fields[16]))
    for pid in $(ps --ppid "$postmaster" -o pid=); do
        if read -r -a fields <"/proc/$pid/stat" 2>/dev/null; then
            total=$((total + fields[13] + fields[14]))
        fi
    done
    echo "$total"
}

# psql on the benchmark database: unaligned, tuples only, stop on the first error.
bpsql() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$BENCH_DB" "$@"; }

create_bench_db() {
    psql -X -q -v ON_ERROR_STOP=1 -d postgres \
        -c "SET client_min_messages = warning" \
        -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" \
        -c "CREATE DATABASE $BENCH_DB"
    bpsql -f "$BENCH_DIR/setup.sql"
}

# create_event WORKLOAD TICKETS: a new event of TICKETS tickets, recorded in bench.events.
create_event() {
    local workload=$1 tickets=$2 event
    event=$(bpsql -c "SELECT ticketing.create_event('bench $workload')")
    bpsql -c "SELECT ticketing.add_tickets($event, $tickets)" >/dev/null
    bpsql -c "INSERT INTO bench.events VALUES ('$workload', $event, $tickets)"
    echo "$event"
}

# create_category_event WORKLOAD TICKETS: an event of TICKETS tickets in three categories
# A, B and C (a third each, prefixes A-, B-, C-), recorded in bench.events.
create_category_event() {
    local workload=$1 tickets=$2 event third
    third=$((tickets / 3))
    event=$(bpsql -c "SELECT ticketing.create_event('bench $workload')")
    bpsql -c "SELECT ticketing.add_tickets($event, $((tickets - 2 * third)), seat_prefix => 'A-', category => 'A')" \
          -c "SELECT ticketing.add_tickets($event, $third, seat_prefix => 'B-', category => 'B')" \
          -c "SELECT ticketing.add_tickets($event, $third, seat_prefix => 'C-', category => 'C')" \
          -c "INSERT INTO bench.events VALUES ('$workload', $event, $tickets)" >/dev/null
    echo "$event"
}

# add_quota WORKLOAD NAME SIZE CATEGORY...: a quota on the workload's event, made again
# by every reset_state, with QUOTA_STRIPES stripes (default 64, create_quota's own).
add_quota() {
    : "${QUOTA_STRIPES:=64}"
    local workload=$1 name=$2 size=$3
    shift 3
    local cats
    cats=$(printf "'%s'," "$@")
    bpsql -c "INSERT INTO bench.quotas VALUES ('$workload', '$name', $size, ARRAY[${cats%,}], $QUOTA_STRIPES)" \
          -c "SELECT ticketing.create_quota(event_id, '$name', $size, ARRAY[${cats%,}], stripes => $QUOTA_STRIPES)
                FROM bench.events WHERE workload = '$workload'" >/dev/null
}

# True when this build has quotas and carts (1.3).
has_quotas() {
    [ "$(bpsql -c "SELECT to_regproc('ticketing.create_quota') IS NOT NULL
                      AND to_regproc('ticketing.open_cart') IS NOT NULL")" = t ]
}

event_of() { bpsql -c "SELECT event_id FROM bench.events WHERE workload = '$1'"; }
tickets_of() { bpsql -c "SELECT tickets FROM bench.events WHERE workload = '$1'"; }

# Every ticket back to available, no audit rows (nor idempotency keys, per-customer
# slots or carts, where the build has them), every quota made again with all its units,
# fresh statistics, clean buffers: each run starts from the same state.
reset_state() {
    bpsql -c "UPDATE ticketing.tickets
                 SET status = 'available', owner = NULL, hold_expires_at = NULL
               WHERE status <> 'available'" \
          -c "TRUNCATE ticketing.audit_log" \
          -c "DO \$\$ DECLARE t text; BEGIN
                FOREACH t IN ARRAY ARRAY['ticketing.idempotency_keys', 'ticketing.customer_slots'] LOOP
                    IF to_regclass(t) IS NOT NULL THEN EXECUTE 'TRUNCATE ' || t; END IF;
                END LOOP;
                IF to_regclass('ticketing.carts') IS NOT NULL THEN
                    TRUNCATE ticketing.cart_items, ticketing.carts;
                END IF;
                IF EXISTS (SELECT 1 FROM bench.quotas) THEN
                    EXECUTE 'SELECT count(ticketing.drop_quota(e.event_id, q.name))
                               FROM bench.quotas q JOIN bench.events e USING (workload)';
                    EXECUTE 'SELECT count(ticketing.create_quota(e.event_id, q.name, q.size, q.categories, stripes => q.stripes))
                               FROM bench.quotas q JOIN bench.events e USING (workload)';
                END IF; END \$\$" \
          -c "VACUUM ANALYZE ticketing.tickets" \
          -c "VACUUM ANALYZE ticketing.audit_log"
    # The quota tables too (1.3): without it the first quotas run of a benchmark planned
    # its statements before any statistics on them and sold at 0.55-0.67x noquotas in
    # five runs, against 0.68-0.93x in the rounds after autovacuum had analyzed them; with
    # it, round 1 measured 0.82x (docs/performance.md).
    if [ "$(bpsql -c "SELECT to_regclass('ticketing.quota_stripes') IS NOT NULL")" = t ]; then
        bpsql -c "VACUUM ANALYZE ticketing.quotas" -c "VACUUM ANALYZE ticketing.quota_categories" \
              -c "VACUUM ANALYZE ticketing.quota_stripes"
    fi
    bpsql -c "CHECKPOINT"
}

# Empty when STRATEGY can run in this build, else why not.
unavailable_reason() {
    case $1 in
    claim_any)
        [ "$(bpsql -c "SELECT to_regprocedure('ticketing.claim_any(bigint,text,integer,text,text,boolean,interval,text)') IS NOT NULL
                           OR EXISTS (SELECT 1 FROM pg_proc
                                       WHERE proname = 'claim_any'
                                         AND pronamespace = 'ticketing'::regnamespace)")" = t ] ||
            echo "not available in this build (no ticketing.claim_any)"
        ;;
    claim_batch)
        [ "$(bpsql -c "SELECT (to_regproc('ticketing.claim_batch') IS NOT NULL
                            OR EXISTS (SELECT 1 FROM pg_proc
                                        WHERE proname = 'claim_batch'
                                          AND pronamespace = 'ticketing'::regnamespace))
                           AND to_regtype('ticketing.claim_request') IS NOT NULL")" = t ] ||
            echo "not available in this build (no ticketing.claim_batch)"
        ;;
    claim_any_category | cart_checkout)
        has_quotas || echo "not available in this build (no categories, quotas and carts)"
        ;;
    esac
}

# What the database says after a run, for event $1, as KEY=VALUE words:
# sold (tickets not available), sales (audit rows recording a sale: every sale some
# client believes it made, and a hold still in place, such as a cart's item when the run
# ended before its checkout), distinct_sold (tickets those rows name), double_booked
# (tickets sold more than once), the first and last sale (epoch), the sales in the
# first and in the last second of selling, when the sale that took the event to a tenth
# sold began (tenth_at, epoch; empty if less was sold) and how many sales that is
# (tenth_n), and the rows ticketing.verify() reports.
integrity_fields() {
    bpsql -F ' ' -v e="$1" <<'SQL'
WITH a AS (
    SELECT ticket_id, at, to_status, audit_id,
           max(audit_id) OVER (PARTITION BY ticket_id) AS last_id
      FROM ticketing.audit_log
     WHERE event_id = :e
), s AS (
    SELECT ticket_id, at FROM a
     WHERE to_status = 'sold' OR (to_status = 'held' AND audit_id = last_id)
), b AS (
    SELECT min(at) AS a0, max(at) AS a1 FROM s
)
SELECT 'sold=' || (SELECT count(*) FROM ticketing.tickets
                    WHERE event_id = :e AND status <> 'available'),
       'sales=' || (SELECT count(*) FROM s),
       'distinct_sold=' || (SELECT count(DISTINCT ticket_id) FROM s),
       'double_booked=' || (SELECT count(*) FROM (SELECT 1 FROM s GROUP BY ticket_id
                                                   HAVING count(*) > 1) d),
       'first_sale=' || coalesce((SELECT extract(epoch FROM a0)::text FROM b), ''),
       'last_sale=' || coalesce((SELECT extract(epoch FROM a1)::text FROM b), ''),
       'first_second=' || (SELECT count(*) FROM s, b WHERE s.at < b.a0 + interval '1 second'),
       'last_second=' || (SELECT count(*) FROM s, b WHERE s.at > b.a1 - interval '1 second'),
       'tenth_n=' || (SELECT greatest(count(*) / 10, 1) FROM ticketing.tickets
                       WHERE event_id = :e),
       'tenth_at=' || coalesce((SELECT extract(epoch FROM s.at)::text FROM s
                                 ORDER BY s.at
                                OFFSET (SELECT greatest(count(*) / 10, 1) - 1
                                          FROM ticketing.tickets WHERE event_id = :e)
                                 LIMIT 1), ''),
       'violations=' || (SELECT count(*) FROM ticketing.verify(:e));
SQL
}

# For an event with quotas ($1), as KEY=VALUE words: quota_over (quotas with more tickets
# sold or on a live hold than their size: must be 0), quota_left (units left in all of
# them: 0 when the quotas, not the seats, ended the sale), and per_second (the event's
# sales in each second from the first sale, comma-separated).
quota_fields() {
    bpsql -F ' ' -v e="$1" <<'SQL'
SELECT 'quota_over=' || count(*) FILTER (WHERE sold + held > size),
       'quota_left=' || coalesce(sum(available), 0)
  FROM ticketing.quota_summary(:e);
SQL
    per_second_field "$1"
}

# per_second=N,N,...: the sales of event $1 in each second from its first sale. Both
# CTEs materialized: on stale statistics the planner once rescanned the minimum per row.
per_second_field() {
    bpsql -v e="$1" <<'SQL'
WITH s AS MATERIALIZED (
    SELECT at FROM ticketing.audit_log WHERE event_id = :e AND to_status = 'sold'
), b AS MATERIALIZED (SELECT min(at) AS a0 FROM s)
SELECT 'per_second=' || coalesce(string_agg(n::text, ',' ORDER BY sec), '')
  FROM (SELECT floor(extract(epoch FROM s.at - b.a0))::int AS sec, count(*) AS n
          FROM s, b GROUP BY 1) c;
SQL
}

# with_round_trips SCRIPT MICROSECONDS: the pgbench script with a simulated network
# round trip before every SQL command it sends: `\sleep N us`, so the client waits as it
# would for a reply over a network, holding whatever its open transaction has locked.
# A command starts at the first line that is not a comment or a meta-command and ends
# with `;` or `\gset`.
with_round_trips() {
    awk -v us="$2" '
        !in_sql && !/^[ \t]*(--|\\|$)/ { print "\\sleep " us " us"; in_sql = 1 }
        { print }
        in_sql && (/;[ \t]*$/ || /\\gset/) { in_sql = 0 }' "$1"
}

# median NUMBERS...: the middle one, or the mean of the two in the middle.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# pgbench_threads CLIENTS: pgbench's -j, a thread per core up to the clients.
pgbench_threads() {
    local cores
    cores=$(nproc)
    echo $(($1 < cores ? $1 : cores))
}

# run_one WORKLOAD STRATEGY CLIENTS SYNC SECONDS RESULTS_FILE
# Reset, one pgbench run, the integrity check; appends one JSON line to RESULTS_FILE and
# prints a one-line summary.
run_one() {
    local workload=$1 strategy=$2 clients=$3 sync=$4 seconds=$5 results=$6
    local event tickets threads batch=1 any=0 reason work rc aborted pgfailed tps err t_reset
    local -a quota_kv
    local load_start load_end
    local -a common=(--field "workload=$workload" --field "strategy=$strategy"
        --field "clients=$clients" --field "sync=$sync" --field "seconds=$seconds"
        --field "rtt_us=${BENCH_RTT_US:-0}" --field "round=${BENCH_ROUND:-1}")
    reason=$(unavailable_reason "$strategy")
    if [ -n "$reason" ]; then
        "$PYTHON" "$BENCH_DIR/txlog.py" "${common[@]}" --field "status=unavailable" \
            --field "note=$reason" >>"$results"
        tail -n1 "$results" | "$PYTHON" "$BENCH_DIR/report.py" --line
        return
    fi
    event=$(event_of "$workload")
    tickets=$(tickets_of "$workload")
    case $strategy in
    claim_batch | batch_statement) batch=${BENCH_BATCH:-100} ;;
    cart_checkout | claim_ticket_x4 | claim_ticket_x4_txn) batch=4 ;; # seats per script
    esac
    [ "$workload" = anyseat ] && any=1
    threads=$(pgbench_threads "$clients")
    work=$(mktemp -d)
    local script="$BENCH_DIR/strategies/$strategy.sql"
    if [ "${BENCH_RTT_US:-0}" -gt 0 ]; then
        script="$work/script.sql"
        with_round_trips "$BENCH_DIR/strategies/$strategy.sql" "$BENCH_RTT_US" >"$script"
    fi
    # pgbench counts its connection time into -T: on a busy machine a short run can end
    # before a single transaction (then pgbench prints no statistics). Such a run, without
    # an error, is run once more.
    local attempt
    for attempt in 1 2; do
        rm -f "$work"/tx.*
        t_reset=$(date +%s.%N)
        reset_state >/dev/null
        t_reset=$(awk -v a="$t_reset" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
        rc=0
        load_start=$(cut -d' ' -f1 /proc/loadavg)
        PGOPTIONS="-c synchronous_commit=$sync" \
            timeout --kill-after=10 $((seconds + 120)) \
            "$PGBENCH" -n -M prepared -c "$clients" -j "$threads" -T "$seconds" \
            --failures-detailed -f "$script" \
            -D e="$event" -D n="$tickets" -D any="$any" -D batch="$batch" \
            --log --log-prefix="$work/tx" "$BENCH_DB" >"$work/out" 2>"$work/err" || rc=$?
        load_end=$(cut -d' ' -f1 /proc/loadavg)
        aborted=$(grep -c 'aborted in command' "$work/err")
        pgfailed=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$work/out")
        tps=$(sed -nE 's/^tps = ([0-9.]+) \(without initial connection time\)/\1/p' "$work/out")
        if [ -n "$tps" ] || [ "$rc" != 0 ] || [ "$aborted" != 0 ] || [ "$attempt" = 2 ]; then
            break
        fi
        say "$workload $strategy c=$clients: no transaction completed in ${seconds}s; once more"
    done
    err=$(grep -m1 -E 'ERROR|FATAL|error:' "$work/err" | cut -c1-200)
    if [ -z "$err" ] && [ "${pgfailed:-0}" != 0 ]; then
        err=$(grep -E '^number of (serialization|deadlock) failures' "$work/out" | tr '\n' ' ')
    fi
    local -a integrity
    local t_check
    t_check=$(date +%s.%N)
    read -r -a integrity <<<"$(integrity_fields "$event")"
    if [ "$(bpsql -c "SELECT count(*) FROM bench.quotas WHERE workload = '$workload'")" != 0 ]; then
        read -r -a quota_kv <<<"$(quota_fields "$event" | tr '\n' ' ')"
        integrity+=("${quota_kv[@]}")
    elif [ "$workload" = noquotas ]; then
        integrity+=("$(per_second_field "$event")")
    fi
    t_check=$(awk -v a="$t_check" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
    local last_sale=""
    for kv in "${integrity[@]}"; do
        [[ $kv == last_sale=* ]] && last_sale=${kv#last_sale=}
    done
    local -a fields=("${common[@]}" --field status=ran --field "event=$event"
        --field "tickets=$tickets" --field "batch=$batch" --field "exit=$rc"
        --field "aborted=$aborted" --field "pgbench_failed=${pgfailed:-0}"
        --field "tps=${tps:-0}" --field "error=$err" --field "reset_s=$t_reset"
        --field "check_s=$t_check" --field "load_start=$load_start" --field "load_end=$load_end")
    for kv in "${integrity[@]}"; do fields+=(--field "$kv"); done
    "$PYTHON" "$BENCH_DIR/txlog.py" --after "$last_sale" "${fields[@]}" "$work"/tx.* \
        >>"$results"
    tail -n1 "$results" | "$PYTHON" "$BENCH_DIR/report.py" --line
    # Keep pgbench's own words of a run that went wrong, beside the results.
    if [ "$rc" != 0 ] || [ "$aborted" != 0 ] || [ -z "$tps" ] || [ -n "$err" ]; then
        cat "$work/out" "$work/err" >"$(dirname "$results")/pgbench-$workload-$strategy-$clients-$sync.log"
    fi
    rm -rf "$work"
}
