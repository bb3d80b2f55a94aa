#!/usr/bin/env bash
# Claims/s with the live feed on and off (issue 22). pgbench, 64 clients, synchronous
# commit with fsync on, on a 300,000-seat event (claim_ticket of random seats) and on
# claim_any, in throwaway clusters that preload this tree's build (loaded from a DESTDIR
# through Debian's extension_destdir: the system's installation is not touched):
#   off   ticketing.feed_interval = 0: nothing announced (the trigger and the audit id's
#         floor still run)
#   idle  notifications on (50 ms), nobody listening
#   on    notifications on, the flashsale service following the event for one SSE client
#         (its listening connection, and its changes_since reads)
#   base  (with --base=DESTDIR) another build, e.g. main before the feed
# --configs="off notrigger noindex" runs other configurations of this build: notrigger
# and noindex are off with the audit trigger disabled or the feed's index dropped for
# the run (diagnostics: what each always-on part costs; the feed is not exact without them).
# Runs take turns (off, idle, on for each workload, then base) for --rounds rounds; the
# report shows medians and ratios.
#
#   bash clients/go/bench/feed_claims.sh [--rounds=3] [--seconds=20] [--clients=64]
#        [--base=DESTDIR] [--out=FILE]
# A base build: git archive main | tar -x -C /tmp/main-src && \
#   make -C /tmp/main-src install DESTDIR=/tmp/main-build
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
source "$ROOT/scripts/common.sh"

rounds=3 seconds=20 clients=64 base="" out="" configs="off idle on"
for arg in "$@"; do
    case $arg in
        --rounds=*) rounds=${arg#*=} ;;
        --seconds=*) seconds=${arg#*=} ;;
        --clients=*) clients=${arg#*=} ;;
        --base=*) base=${arg#*=} ;;
        --out=*) out=${arg#*=} ;;
        --configs=*) configs=${arg#*=} ;;
        *) say "unknown argument: $arg"; exit 2 ;;
    esac
done
require_root
ensure_packages golang-go golang-github-jackc-pgx-v4-dev
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
say "building this tree into $work/feed (make install DESTDIR)"
make -C "$ROOT" -s -j"$(nproc)" PG_CONFIG="$PG_BINDIR/pg_config" >/dev/null
make -C "$ROOT" -s install DESTDIR="$work/feed" PG_CONFIG="$PG_BINDIR/pg_config" >/dev/null
bash "$ROOT/clients/go/build.sh" "$work/bin"
libdir=$("$PG_BINDIR/pg_config" --pkglibdir)
results="$work/results.tsv"
: >"$results"
chmod 666 "$results"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
cluster() { # cluster DESTDIR BUILD CONFIGS
    with_bench_cluster -o "extension_destdir=$1" -o "shared_preload_libraries=$1$libdir/ticketing" \
        env BIN="$work/bin" RESULTS="$results" SECONDS_PER_RUN="$seconds" CLIENTS="$clients" ROUND="$round" \
        bash "$ROOT/clients/go/bench/feed_claims_inside.sh" "$2" "$3"
}
for round in $(seq "$rounds"); do
    say "round $round of $rounds: this build ($configs)"
    cluster "$work/feed" feed "$configs"
    if [ -n "$base" ]; then
        say "round $round of $rounds: the base build"
        cluster "$base" base "base"
    fi
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

report() {
    echo "Claims/s, $clients pgbench clients, synchronous_commit on, fsync on, ${seconds} s per run, $rounds rounds"
    echo "(median tps, sales/s, and CPU µs per claim: the cluster's processes and the service's, per"
    echo "transaction). $(nproc) cores; load average before $load_before, after $load_after."
    echo
    echo "| workload | config | runs (tps) | median tps | median sales/s | runs (CPU µs per claim) | median CPU µs per claim |"
    echo "|---|---|---|---|---|---|---|"
    for workload in claim_ticket claim_any; do
        for config in base off idle on notrigger noindex; do
            awk -v w="$workload" -v c="$config" '$3 == c && $4 == w {print $5, $6, $7}' "$results" | sort -n >"$work/cell"
            [ -s "$work/cell" ] || continue
            runs=$(cut -d' ' -f1 "$work/cell" | xargs printf '%.0f ' | sed 's/ $//')
            median=$(awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}' "$work/cell")
            sales=$(cut -d' ' -f2 "$work/cell" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
            cpus=$(cut -d' ' -f3 "$work/cell" | sort -n | xargs printf '%.0f ' | sed 's/ $//')
            cpu=$(cut -d' ' -f3 "$work/cell" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
            printf '| %s | %s | %s | %.0f | %.0f | %s | %.1f |\n' "$workload" "$config" "$runs" "$median" "$sales" "$cpus" "$cpu"
            echo "$workload $config $median $cpu" >>"$work/medians"
        done
    done
    echo
    for workload in claim_ticket claim_any; do
        awk -v w="$workload" '$1 == w {m[$2] = $3; c[$2] = $4}
            END {
                printf "%s:", w;
                if (m["on"] > 0 && m["off"] > 0) printf " tps on/off %.3f", m["on"]/m["off"];
                if (m["on"] > 0 && m["idle"] > 0) printf ", on/idle %.3f", m["on"]/m["idle"];
                if (m["idle"] > 0 && m["off"] > 0) printf ", idle/off %.3f", m["idle"]/m["off"];
                if (m["notrigger"] > 0) printf " tps notrigger/off %.3f, CPU per claim notrigger/off %.3f", m["notrigger"]/m["off"], c["notrigger"]/c["off"];
                if (m["noindex"] > 0) printf "; tps noindex/off %.3f, CPU per claim noindex/off %.3f", m["noindex"]/m["off"], c["noindex"]/c["off"];
                if (m["base"] > 0 && m["on"] > 0) printf ", on/base %.3f", m["on"]/m["base"];
                if (m["base"] > 0) printf ", off/base %.3f", m["off"]/m["base"];
                if (c["on"] > 0 && c["off"] > 0) printf "; CPU per claim on/off %.3f", c["on"]/c["off"];
                if (c["base"] > 0 && c["on"] > 0) printf ", CPU per claim on/base %.3f", c["on"]/c["base"];
                if (c["base"] > 0) printf ", CPU per claim off/base %.3f", c["off"]/c["base"];
                printf "\n"
            }' "$work/medians"
    done
}
if [ -n "$out" ]; then report | tee "$out"; else report; fi
cp "$results" "${out:-/tmp/feed_claims}.tsv" 2>/dev/null || true
